import { InvalidPayloadError } from '../src/calendly/errors';
import type { BookingRecord } from '../src/store/booking-record';
import { ZoomApiError } from '../src/zoom/errors';
import { BOOKING_FIELD, eventRefFromInput } from './booking-input';
import type { ZapierEngine } from './engine';
import { invalid, optionalText, type InputData } from './input';

export const MEETING_ID_FIELD = {
  key: 'meeting_id',
  label: 'Zoom Meeting ID',
  required: false,
  helpText: 'The numeric Zoom meeting ID (map **Zoom Meeting ID** from an earlier step).',
};

/** The Calendly booking as an alternative way to name its meeting. */
export const BOOKING_EVENT_FIELD = {
  ...BOOKING_FIELD.event,
  required: false,
  helpText:
    'Or the Calendly booking whose meeting it is: its Event URI or UUID. The meeting is looked up in the booking store.',
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
  if (optionalText(input, BOOKING_EVENT_FIELD.key) === null) {
    throw invalid(
      MEETING_ID_FIELD.key,
      MEETING_ID_FIELD.label,
      'or Calendly Event URI or UUID is required',
    );
  }
  const { eventUuid } = eventRefFromInput(input, BOOKING_EVENT_FIELD);
  const record = await bookingWithMeeting(engine, eventUuid);
  if (record === null) {
    throw new InvalidPayloadError(
      BOOKING_EVENT_FIELD.key,
      `No live Zoom meeting is recorded for Calendly event ${eventUuid} (never made, or removed when the booking was canceled).`,
    );
  }
  return { meetingId: record.meeting.id, record };
}

/** Zoom's "no such meeting" (404, code 3001): a search finds nothing rather than failing. */
export function isMeetingGone(error: unknown): boolean {
  return error instanceof ZoomApiError && error.status === 404;
}

/** The Calendly event a meeting was made for, from the marker the lifecycle writes in its agenda. */
export function eventUriFromAgenda(agenda: string | null): string | null {
  return /\[Calendly booking (\S+)\]/.exec(agenda ?? '')?.[1] ?? null;
}
