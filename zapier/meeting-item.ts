import type { InviteeEvent } from '../src/calendly/invitee-event';
import type { LifecycleOutcome } from '../src/lifecycle-outcome';
import type { BookingRecord } from '../src/store/booking-record';
import type { ZoomMeeting } from '../src/zoom/types';

/**
 * What the meeting actions and searches output. One shape for all of them, so find_meeting and
 * create_meeting pair up as search-or-create and later steps map the same fields either way.
 * Meeting ids are text: they exceed 32 bits.
 */
// A type alias, not an interface: Zapier's sample type wants an index signature.
export type MeetingItem = {
  id: string;
  outcome: string;
  message: string;
  meeting_id: string | null;
  join_url: string | null;
  /** Lets whoever has it start the meeting as host: map it only into private steps. */
  start_url: string | null;
  password: string | null;
  host: string | null;
  topic: string | null;
  start_time: string | null;
  duration_minutes: number | null;
  event_uuid: string | null;
  event_uri: string | null;
  invitee_uri: string | null;
  booking_status: string | null;
};

export function itemFromOutcome(outcome: LifecycleOutcome, event?: InviteeEvent): MeetingItem {
  const meeting = outcome.meeting;
  return {
    id: meeting?.id ?? outcome.eventUuid,
    outcome: outcome.outcome,
    message: outcome.message,
    meeting_id: meeting?.id ?? null,
    join_url: meeting?.joinUrl ?? null,
    start_url: meeting?.startUrl ?? null,
    password: meeting?.password ?? null,
    host: meeting?.host ?? null,
    topic: null,
    start_time: event?.startTime || null,
    duration_minutes: event?.durationMinutes || null,
    event_uuid: outcome.eventUuid,
    event_uri: outcome.eventUri,
    invitee_uri: outcome.inviteeUri,
    booking_status: outcome.status,
  };
}

/** A meeting as Zoom has it now, with its booking when the store knows one. */
export function itemFromMeeting(
  meeting: ZoomMeeting,
  outcome: string,
  message: string,
  record: BookingRecord | null = null,
): MeetingItem {
  return {
    id: meeting.id,
    outcome,
    message,
    meeting_id: meeting.id,
    join_url: meeting.joinUrl,
    start_url: meeting.startUrl,
    password: meeting.password,
    host: record?.meeting?.host ?? meeting.hostId,
    topic: meeting.topic,
    start_time: meeting.startTime,
    duration_minutes: meeting.durationMinutes,
    event_uuid: record?.eventUuid ?? null,
    event_uri: record?.eventUri ?? null,
    invitee_uri: null,
    booking_status: record?.status ?? null,
  };
}

const FIELDS: [key: keyof MeetingItem, label: string, type?: 'integer' | 'datetime'][] = [
  ['id', 'ID'],
  ['outcome', 'Outcome (created, duplicate, cancelled, already_gone, …)'],
  ['message', 'What Happened'],
  ['meeting_id', 'Zoom Meeting ID'],
  ['join_url', 'Join URL'],
  ['start_url', 'Start URL (host only: do not share)'],
  ['password', 'Passcode'],
  ['host', 'Zoom Host'],
  ['topic', 'Topic'],
  ['start_time', 'Start Time', 'datetime'],
  ['duration_minutes', 'Duration (minutes)', 'integer'],
  ['event_uuid', 'Calendly Event UUID'],
  ['event_uri', 'Calendly Event URI'],
  ['invitee_uri', 'Calendly Invitee URI'],
  ['booking_status', 'Booking Status (active, cancelled, superseded, …)'],
];

export const MEETING_OUTPUT_FIELDS = FIELDS.map(([key, label, type]) => ({
  key,
  label,
  ...(type === undefined ? {} : { type }),
}));

export const MEETING_SAMPLE: MeetingItem = {
  id: '85746065432',
  outcome: 'created',
  message: 'A Zoom meeting was created for the booking.',
  meeting_id: '85746065432',
  join_url: 'https://us06web.zoom.us/j/85746065432?pwd=sample',
  start_url: 'https://us06web.zoom.us/s/85746065432?zak=sample',
  password: '123456',
  host: 'host@example.com',
  topic: '30 Minute Consultation with Jane Doe',
  start_time: '2026-03-10T14:00:00Z',
  duration_minutes: 30,
  event_uuid: '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2',
  event_uri: 'https://api.calendly.com/scheduled_events/8e87d9c9-2c85-45d6-af2d-41a77e6d51b2',
  invitee_uri:
    'https://api.calendly.com/scheduled_events/8e87d9c9-2c85-45d6-af2d-41a77e6d51b2/invitees/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  booking_status: 'active',
};
