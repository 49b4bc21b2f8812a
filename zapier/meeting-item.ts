import type { ApiBooking } from '../src/calendly/invitee-from-api';
import type { LifecycleOutcome } from '../src/lifecycle-outcome';
import type { BookingRecord } from '../src/store/booking-record';
import type { ZoomMeeting } from '../src/zoom/types';

/**
 * What the meeting actions and searches output. One shape for all of them, so find_meeting and
 * create_meeting pair up as search-or-create and later steps map the same fields either way.
 * Meeting ids are text: they exceed 32 bits. `host` is always the host's email.
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
  host_id: string | null;
  host_name: string | null;
  topic: string | null;
  start_time: string | null;
  duration_minutes: number | null;
  timezone: string | null;
  event_uuid: string | null;
  event_uri: string | null;
  event_name: string | null;
  invitee_uri: string | null;
  invitee_name: string | null;
  invitee_email: string | null;
  invitee_timezone: string | null;
  booking_status: string | null;
};

/** The meeting as Zoom has it (null when there is none), and its host's name. */
export interface MeetingFacts {
  zoom: ZoomMeeting | null;
  hostName: string | null;
}

/** A booking action's result: the lifecycle's outcome, the booking from Calendly, the meeting. */
export function itemFromBooking(
  outcome: LifecycleOutcome,
  booking: ApiBooking,
  facts: MeetingFacts,
): MeetingItem {
  const stored = outcome.meeting;
  const { event } = booking;
  const zoom = facts.zoom;
  return {
    id: stored?.id ?? outcome.eventUuid,
    outcome: outcome.outcome,
    message: outcome.message,
    meeting_id: stored?.id ?? null,
    join_url: stored?.joinUrl ?? zoom?.joinUrl ?? null,
    start_url: stored?.startUrl ?? zoom?.startUrl ?? null,
    password: stored?.password ?? zoom?.password ?? null,
    // The lifecycle records the email it made the meeting under (the booking's host or the
    // default host); Zoom's own record says the same when the meeting is still there.
    host: zoom?.hostEmail ?? stored?.host ?? null,
    host_id: zoom?.hostId ?? null,
    host_name: facts.hostName,
    topic: zoom?.topic || null,
    start_time: event.startTime,
    duration_minutes: event.durationMinutes,
    timezone: zoom?.timezone ?? null,
    event_uuid: outcome.eventUuid,
    event_uri: outcome.eventUri,
    event_name: event.eventName,
    invitee_uri: outcome.inviteeUri,
    invitee_name: event.invitee.name,
    invitee_email: event.invitee.email,
    invitee_timezone: event.invitee.timezone,
    booking_status: outcome.status,
  };
}

/** A meeting as Zoom has it now, with its booking when the store knows one. */
export function itemFromMeeting(
  meeting: ZoomMeeting,
  outcome: string,
  message: string,
  facts: { record: BookingRecord | null; hostName: string | null },
): MeetingItem {
  const { record } = facts;
  return {
    id: meeting.id,
    outcome,
    message,
    meeting_id: meeting.id,
    join_url: meeting.joinUrl,
    start_url: meeting.startUrl,
    password: meeting.password,
    host: meeting.hostEmail ?? record?.meeting?.host ?? null,
    host_id: meeting.hostId,
    host_name: facts.hostName,
    topic: meeting.topic || null,
    start_time: meeting.startTime,
    duration_minutes: meeting.durationMinutes,
    timezone: meeting.timezone ?? null,
    event_uuid: record?.eventUuid ?? null,
    event_uri: record?.eventUri ?? null,
    event_name: null,
    invitee_uri: null,
    invitee_name: null,
    invitee_email: null,
    invitee_timezone: null,
    booking_status: record?.status ?? null,
  };
}

type OutputType = 'integer' | 'datetime';

const FIELDS: [key: keyof MeetingItem, label: string, type?: OutputType][] = [
  ['id', 'ID'],
  ['outcome', 'Outcome (created, duplicate, cancelled, already_gone, …)'],
  ['message', 'What Happened'],
  ['meeting_id', 'Zoom Meeting ID'],
  ['join_url', 'Join URL'],
  ['start_url', 'Start URL (host only: do not share)'],
  ['password', 'Passcode'],
  ['host', 'Zoom Host Email'],
  ['host_id', 'Zoom Host User ID'],
  ['host_name', 'Zoom Host Name'],
  ['topic', 'Topic'],
  ['start_time', 'Start Time', 'datetime'],
  ['duration_minutes', 'Duration (minutes)', 'integer'],
  ['timezone', 'Meeting Time Zone (as Zoom shows it)'],
  ['event_uuid', 'Calendly Event UUID'],
  ['event_uri', 'Calendly Event URI'],
  ['event_name', 'Calendly Event Name'],
  ['invitee_uri', 'Calendly Invitee URI'],
  ['invitee_name', 'Invitee Name'],
  ['invitee_email', 'Invitee Email'],
  ['invitee_timezone', 'Invitee Time Zone'],
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
  host_id: 'KDcuGIm1QgePTO8WbOqwIQ',
  host_name: 'Harriet Host',
  topic: '30 Minute Consultation with Jane Doe',
  start_time: '2026-03-10T14:00:00Z',
  duration_minutes: 30,
  timezone: 'UTC',
  event_uuid: '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2',
  event_uri: 'https://api.calendly.com/scheduled_events/8e87d9c9-2c85-45d6-af2d-41a77e6d51b2',
  event_name: '30 Minute Consultation',
  invitee_uri:
    'https://api.calendly.com/scheduled_events/8e87d9c9-2c85-45d6-af2d-41a77e6d51b2/invitees/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  invitee_name: 'Jane Doe',
  invitee_email: 'jane.doe@example.com',
  invitee_timezone: 'America/New_York',
  booking_status: 'active',
};
