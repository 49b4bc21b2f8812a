import type { InviteeEvent, InviteeEventKind } from '../src/calendly/invitee-event';

/**
 * What the Calendly triggers output: one flat object per delivery, every value a string, number,
 * boolean or null, so each can be mapped into a later step without digging into nested data.
 */
// A type alias, not an interface: Zapier's sample type wants an index signature.
export type InviteeItem = {
  /** Invitee URI + event kind: unique per delivery subject (Zapier does not dedupe hooks). */
  id: string;
  event_kind: InviteeEventKind;
  event_uri: string;
  event_uuid: string;
  event_name: string;
  event_type_uri: string | null;
  start_time: string;
  end_time: string;
  duration_minutes: number;
  host_email: string | null;
  host_emails: string;
  invitee_uri: string;
  invitee_uuid: string;
  invitee_name: string;
  invitee_email: string;
  invitee_timezone: string | null;
  rescheduled: boolean;
  old_invitee_uri: string | null;
  new_invitee_uri: string | null;
  location_type: string | null;
  location_join_url: string | null;
  cancel_reason: string | null;
  canceled_by: string | null;
  canceler_type: string | null;
  questions_and_answers: string;
  cancel_url: string | null;
  reschedule_url: string | null;
  seats_active: number | null;
  seats_limit: number | null;
  delivered_at: string | null;
};

export function inviteeItemId(inviteeUri: string, kind: InviteeEventKind): string {
  return `${inviteeUri}#${kind}`;
}

export function toInviteeItem(event: InviteeEvent): InviteeItem {
  return {
    id: inviteeItemId(event.inviteeUri, event.kind),
    event_kind: event.kind,
    event_uri: event.eventUri,
    event_uuid: event.eventUuid,
    event_name: event.eventName,
    event_type_uri: event.eventTypeUri,
    start_time: event.startTime,
    end_time: event.endTime,
    duration_minutes: event.durationMinutes,
    host_email: event.hostEmail,
    host_emails: event.hostEmails.join(', '),
    invitee_uri: event.inviteeUri,
    invitee_uuid: event.inviteeUuid,
    invitee_name: event.invitee.name,
    invitee_email: event.invitee.email,
    invitee_timezone: event.invitee.timezone,
    rescheduled: event.rescheduled,
    old_invitee_uri: event.oldInviteeUri,
    new_invitee_uri: event.newInviteeUri,
    location_type: event.location.type,
    location_join_url: event.location.joinUrl,
    cancel_reason: event.cancellation?.reason ?? null,
    canceled_by: event.cancellation?.canceledBy ?? null,
    canceler_type: event.cancellation?.cancelerType ?? null,
    questions_and_answers: event.questionsAndAnswers
      .map(({ question, answer }) => `${question}: ${answer}`)
      .join('\n'),
    cancel_url: event.cancelUrl,
    reschedule_url: event.rescheduleUrl,
    seats_active: event.seats.active,
    seats_limit: event.seats.limit,
    delivered_at: event.deliveredAt,
  };
}

type OutputType = 'string' | 'integer' | 'boolean' | 'datetime';

const FIELDS: [key: keyof InviteeItem, label: string, type?: OutputType][] = [
  ['id', 'Delivery ID (invitee URI + event)'],
  ['event_kind', 'Event Kind (invitee.created / invitee.canceled)'],
  ['event_uri', 'Event URI'],
  ['event_uuid', 'Event UUID'],
  ['event_name', 'Event Name'],
  ['event_type_uri', 'Event Type URI'],
  ['start_time', 'Start Time', 'datetime'],
  ['end_time', 'End Time', 'datetime'],
  ['duration_minutes', 'Duration (minutes)', 'integer'],
  ['host_email', 'Host Email'],
  ['host_emails', 'All Host Emails'],
  ['invitee_uri', 'Invitee URI'],
  ['invitee_uuid', 'Invitee UUID'],
  ['invitee_name', 'Invitee Name'],
  ['invitee_email', 'Invitee Email'],
  ['invitee_timezone', 'Invitee Timezone'],
  ['rescheduled', 'Rescheduled', 'boolean'],
  ['old_invitee_uri', 'Old Invitee URI (this booking replaces it)'],
  ['new_invitee_uri', 'New Invitee URI (this booking was moved to it)'],
  ['location_type', 'Location Type'],
  ['location_join_url', 'Location Join URL (Calendly-made Zoom link)'],
  ['cancel_reason', 'Cancel Reason'],
  ['canceled_by', 'Canceled By'],
  ['canceler_type', 'Canceler Type (host / invitee)'],
  ['questions_and_answers', 'Questions and Answers'],
  ['cancel_url', 'Cancel URL'],
  ['reschedule_url', 'Reschedule URL'],
  ['seats_active', 'Seats Taken', 'integer'],
  ['seats_limit', 'Seats Limit', 'integer'],
  ['delivered_at', 'Delivered At', 'datetime'],
];

export const INVITEE_OUTPUT_FIELDS = FIELDS.map(([key, label, type]) => ({
  key,
  label,
  ...(type === undefined ? {} : { type }),
}));

const SAMPLE_EVENT =
  'https://api.calendly.com/scheduled_events/8e87d9c9-2c85-45d6-af2d-41a77e6d51b2';
const SAMPLE_INVITEE = `${SAMPLE_EVENT}/invitees/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f`;

/** What the Zap editor shows before a real booking arrives. */
export function inviteeSample(kind: InviteeEventKind): InviteeItem {
  const canceled = kind === 'invitee.canceled';
  return {
    id: inviteeItemId(SAMPLE_INVITEE, kind),
    event_kind: kind,
    event_uri: SAMPLE_EVENT,
    event_uuid: '8e87d9c9-2c85-45d6-af2d-41a77e6d51b2',
    event_name: '30 Minute Consultation',
    event_type_uri: 'https://api.calendly.com/event_types/3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d',
    start_time: '2026-03-10T14:00:00Z',
    end_time: '2026-03-10T14:30:00Z',
    duration_minutes: 30,
    host_email: 'host@example.com',
    host_emails: 'host@example.com',
    invitee_uri: SAMPLE_INVITEE,
    invitee_uuid: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
    invitee_name: 'Jane Doe',
    invitee_email: 'jane.doe@example.com',
    invitee_timezone: 'America/New_York',
    rescheduled: false,
    old_invitee_uri: null,
    new_invitee_uri: null,
    location_type: 'custom',
    location_join_url: null,
    cancel_reason: canceled ? 'Something came up' : null,
    canceled_by: canceled ? 'Jane Doe' : null,
    canceler_type: canceled ? 'invitee' : null,
    questions_and_answers: 'What would you like to discuss?: Onboarding questions',
    cancel_url: 'https://calendly.com/cancellations/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
    reschedule_url: 'https://calendly.com/reschedulings/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
    seats_active: canceled ? 0 : 1,
    seats_limit: 1,
    delivered_at: '2026-03-02T15:04:06Z',
  };
}
