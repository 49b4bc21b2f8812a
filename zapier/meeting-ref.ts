import { InvalidPayloadError } from '../src/calendly/errors';
import type { BookingRecord } from '../src/store/booking-record';
import { eventRefFromInput } from './booking-input';
import type { ZapierEngine } from './engine';
import { invalid, optionalText, type InputData } from './input';
import { ZOOM_USER_DROPDOWN } from './lifecycle-settings';

/** The hidden trigger listing a host's upcoming meetings: `trigger.value.label`. */
export const ZOOM_MEETING_DROPDOWN = 'zoom_meeting_list.id.label';

/** Only there to fill the meeting dropdown: Zoom lists meetings per host. */
export const MEETING_HOST_FIELD = {
  key: 'meeting_host',
  label: 'Zoom Host (to list meetings)',
  required: false,
  dynamic: ZOOM_USER_DROPDOWN,
  helpText:
    'Pick a host to choose one of their upcoming meetings in **Zoom Meeting ID** below. Not needed when you map the meeting ID from an earlier step; the step itself never reads it.',
};

export const MEETING_ID_FIELD = {
  key: 'meeting_id',
  label: 'Zoom Meeting ID',
  required: false,
  dynamic: ZOOM_MEETING_DROPDOWN,
  helpText:
    'The numeric Zoom meeting ID: map **Zoom Meeting ID** from an earlier step, or pick a host above and choose one of their upcoming meetings. Spaces are fine (857 4606 5432).',
};

/** The Calendly booking as an alternative way to name its meeting. */
export const BOOKING_EVENT_FIELD = {
  key: 'event_uri',
  label: 'Calendly Event URI or UUID',
  required: false,
  helpText:
    "Or name the meeting by its Calendly booking: map **Event URI** (or the event UUID) from the Calendly trigger. The meeting is looked up in this app's booking store.",
};

export function meetingIdFromInput(input: InputData): string | null {
  const { key, label } = MEETING_ID_FIELD;
  // Zoom shows ids grouped ("857 4606 5432"); the API wants digits only.
  const id = optionalText(input, key)?.replace(/[\s-]/g, '') ?? null;
  if (id !== null && !/^\d+$/.test(id)) {
    throw invalid(key, label, `must be a numeric Zoom meeting ID, not "${id}"`);
  }
  return id;
}

export function requiredMeetingId(input: InputData): string {
  const id = meetingIdFromInput(input);
  if (id === null) throw invalid(MEETING_ID_FIELD.key, MEETING_ID_FIELD.label, 'is required');
  return id;
}

/** The Calendly event a step names, when it names one. */
export function bookingEventFromInput(
  input: InputData,
): { eventUri: string; eventUuid: string } | null {
  return optionalText(input, BOOKING_EVENT_FIELD.key) === null
    ? null
    : eventRefFromInput(input, BOOKING_EVENT_FIELD);
}

/** A booking's live meeting in the store, or null when it has none. */
export async function bookingWithMeeting(
  engine: ZapierEngine,
  eventUuid: string,
): Promise<(BookingRecord & { meeting: NonNullable<BookingRecord['meeting']> }) | null> {
  const record = await engine.store().get(eventUuid);
  if (record === null || record.meeting === null || record.status !== 'active') return null;
  return { ...record, meeting: record.meeting };
}

/**
 * The meeting a step names, by Zoom ID or through its booking; the booking comes along when the
 * meeting was found through it.
 */
export async function resolveMeeting(
  engine: ZapierEngine,
  input: InputData,
): Promise<{ meetingId: string; record: BookingRecord | null }> {
  const meetingId = meetingIdFromInput(input);
  if (meetingId !== null) return { meetingId, record: null };
  const booking = bookingEventFromInput(input);
  if (booking === null) {
    throw invalid(
      MEETING_ID_FIELD.key,
      MEETING_ID_FIELD.label,
      'or Calendly Event URI or UUID is required',
    );
  }
  const record = await bookingWithMeeting(engine, booking.eventUuid);
  if (record === null) {
    throw new InvalidPayloadError(
      BOOKING_EVENT_FIELD.key,
      `No live Zoom meeting is recorded for Calendly event ${booking.eventUuid} (never made, or removed when the booking was canceled).`,
    );
  }
  return { meetingId: record.meeting.id, record };
}
