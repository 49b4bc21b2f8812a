import type { InviteeEvent } from '../src/calendly/invitee-event';
import { fetchBooking, type ApiBooking } from '../src/calendly/invitee-from-api';
import type { LifecycleOutcome } from '../src/lifecycle-outcome';
import type { BookingRecord } from '../src/store/booking-record';
import { INVITEE_FIELD, inviteeRefFromInput } from './booking-input';
import type { ZapierEngine } from './engine';
import { AlreadyHandledError } from './errors';
import { invalid, optionalBoolean, type InputData } from './input';
import { haltIfHandledField, lifecycleConfigFromInput } from './lifecycle-settings';
import { currentMeeting, zoomUserName } from './meeting-facts';
import { itemFromBooking, type MeetingItem } from './meeting-item';
import { runLifecycle } from './step';

export interface BookingActionOptions {
  /** Cancel Meeting: only a canceled booking; an active one is a mapping mistake, named as such. */
  canceledOnly: boolean;
  /** The default of "Stop this Zap if the booking was already handled". */
  haltByDefault: boolean;
}

/**
 * Reads the booking from Calendly and runs whatever its state calls for: booked, canceled, either
 * half of a reschedule. So Create Meeting for a booking Calendly already reports canceled makes no
 * meeting (its cancellation is recorded instead): a late run never makes a meeting nobody attends.
 */
export async function runBookingAction(
  engine: ZapierEngine,
  input: InputData,
  options: BookingActionOptions,
): Promise<MeetingItem> {
  const booking = await fetchBooking(engine.calendly, inviteeRefFromInput(input));
  const { event } = booking;
  const cancelling = event.kind === 'invitee.canceled';
  if (options.canceledOnly && !cancelling) {
    throw invalid(
      INVITEE_FIELD.key,
      INVITEE_FIELD.label,
      'names a booking Calendly says is still active: Cancel Meeting for Booking removes the meetings of canceled bookings only. Map Invitee URI from the Invitee Canceled trigger',
    );
  }
  const config = lifecycleConfigFromInput(input);
  // Read first: whether this invitee was handled before, and what a cancellation will remove
  // (from Zoom too, while the meeting is still there to read).
  const before = await engine.store().get(event.eventUuid);
  const meetingBefore =
    cancelling && before?.meeting ? await currentMeeting(engine, before.meeting.id) : null;
  const outcome = await runLifecycle(engine, event, config);
  const halt = haltIfHandledField(options.haltByDefault);
  if (
    wasHandledBefore(outcome, before, event) &&
    (optionalBoolean(input, halt.key, halt.label) ?? options.haltByDefault)
  ) {
    throw new AlreadyHandledError(
      `This booking was already handled by an earlier run (${outcome.message}) Stopped here so the steps after this one do not run again; turn off "${halt.label}" to run them anyway.`,
    );
  }
  const zoom = cancelling
    ? meetingBefore
    : outcome.meeting
      ? await currentMeeting(engine, outcome.meeting.id)
      : null;
  const host = zoom?.hostEmail ?? outcome.meeting?.host ?? before?.meeting?.host ?? null;
  return itemFromBooking(outcome, booking, {
    zoom,
    hostName: await hostNameOf(engine, booking, host),
  });
}

/**
 * A repeat, not news: the invitee was on the booking before this run and the lifecycle found
 * nothing to do. A new invitee joining a group event's meeting is also `duplicate`, but new.
 */
function wasHandledBefore(
  outcome: LifecycleOutcome,
  before: BookingRecord | null,
  event: InviteeEvent,
): boolean {
  return outcome.outcome === 'duplicate' && before?.invitees[event.inviteeUri] !== undefined;
}

/** Calendly's name for the booking's own host; Zoom's for a default host that took the meeting. */
async function hostNameOf(
  engine: ZapierEngine,
  booking: ApiBooking,
  host: string | null,
): Promise<string | null> {
  if (host === null) return null;
  if (host.toLowerCase() === booking.event.hostEmail?.toLowerCase()) return booking.hostName;
  return zoomUserName(engine, host);
}
