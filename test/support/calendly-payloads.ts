// Builders for Calendly API v2 invitee webhook bodies, shaped like the ones Calendly sends
// (test/fixtures/calendly/invitee.*.json). Every field has a sensible default, so a test names only
// what it is about:
//
//   buildInviteeCreated({ eventUuid: 'ev-1', location: locations.physical(), seats: { active: 2, limit: 5 } })
//   buildInviteeCanceled({ eventUuid: 'ev-1', newInvitee: { eventUuid: 'ev-2', inviteeUuid: 'inv-2' } })
//   signedDelivery(body, { signingKey, timestamp })   // raw body + headers, as the receiver gets them
//
// The default location is a custom one, so the booking takes the create path: Calendly's own Zoom
// location (`locations.nativeZoom()`, the one in the reference payloads) carries a join_url and is
// skipped by the native-Zoom rule.

import { signCalendlyPayload } from '../../src/calendly/signature';

export const CALENDLY_API_URL = 'https://api.calendly.com';

export const DEFAULT_EVENT_UUID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const DEFAULT_INVITEE_UUID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const DEFAULT_HOST_EMAIL = 'host@example.com';
export const DEFAULT_START = '2026-03-10T14:00:00.000000Z';
export const DEFAULT_DURATION_MINUTES = 30;

const HOST_USER_URI = `${CALENDLY_API_URL}/users/5d6e7f80-9a1b-4c2d-8e3f-405162738495`;
const EVENT_TYPE_URI = `${CALENDLY_API_URL}/event_types/3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d`;

export function scheduledEventUri(eventUuid: string): string {
  return `${CALENDLY_API_URL}/scheduled_events/${eventUuid}`;
}

export function inviteeUri(eventUuid: string, inviteeUuid: string): string {
  return `${scheduledEventUri(eventUuid)}/invitees/${inviteeUuid}`;
}

/** Another booking: its full invitee URI, or the two ids it is built from. */
export type InviteeRef = string | { eventUuid: string; inviteeUuid: string };

/** `scheduled_event.location` as Calendly v2 sends it; `type` decides which other keys appear. */
export interface CalendlyLocation {
  type: string;
  location?: string | null;
  additional_info?: string | null;
  status?: string | null;
  join_url?: string | null;
  data?: Record<string, unknown> | null;
}

export const locations = {
  /** A free-text or link location the host typed in. */
  custom: (location = 'https://meet.example.com/room-42'): CalendlyLocation => ({
    type: 'custom',
    location,
  }),
  /** An in-person address. */
  physical: (location = '1 Main Street, Springfield'): CalendlyLocation => ({
    type: 'physical',
    location,
    additional_info: null,
  }),
  /** Calendly's Zoom integration before it has made the meeting: no join_url yet. */
  zoomWithoutJoinUrl: (status = 'initiated'): CalendlyLocation => ({
    type: 'zoom',
    status,
    join_url: null,
    data: null,
  }),
  /** A Zoom meeting Calendly itself already made (what the reference payloads carry). */
  nativeZoom: (meetingId = '83594658585'): CalendlyLocation => ({
    type: 'zoom',
    status: 'pushed',
    join_url: `https://us02web.zoom.us/j/${meetingId}?pwd=dUk5ZEpoWEE1Ni8zZ0NTcW42Z0w3dz09`,
    data: { id: Number(meetingId), password: '107978', settings: { global_dial_in_numbers: [] } },
  }),
} as const;

export interface InviteesCounter {
  total: number;
  active: number;
  limit: number;
}

export interface CalendlyCancellation {
  canceled_by: string;
  reason: string | null;
  canceler_type: string;
  created_at: string;
}

export interface ScheduledEventPayload {
  uri: string;
  name: string;
  meeting_notes_plain: string | null;
  meeting_notes_html: string | null;
  status: 'active' | 'canceled';
  start_time: string;
  end_time: string;
  event_type: string;
  location: CalendlyLocation | null;
  invitees_counter: InviteesCounter;
  created_at: string;
  updated_at: string;
  event_memberships: { user: string; user_email: string; user_name: string }[];
  event_guests: unknown[];
  cancellation?: CalendlyCancellation;
}

export interface InviteePayload {
  uri: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  status: 'active' | 'canceled';
  timezone: string | null;
  event: string;
  created_at: string;
  updated_at: string;
  questions_and_answers: { question: string; answer: string; position: number }[];
  tracking: Record<string, string | null>;
  text_reminder_number: string | null;
  rescheduled: boolean;
  old_invitee: string | null;
  new_invitee: string | null;
  cancel_url: string;
  reschedule_url: string;
  routing_form_submission: string | null;
  payment: unknown;
  no_show: unknown;
  reconfirmation: unknown;
  scheduling_method: string | null;
  invitee_scheduled_by: string | null;
  scheduled_event: ScheduledEventPayload;
  cancellation?: CalendlyCancellation;
}

export interface InviteeWebhookBody {
  event: 'invitee.created' | 'invitee.canceled';
  created_at: string;
  created_by: string;
  payload: InviteePayload;
}

export interface InviteeCreatedOptions {
  eventUuid?: string;
  inviteeUuid?: string;
  /** ISO string (sent verbatim, so offsets like `+02:00` survive) or a Date. */
  start?: string | Date;
  /** Defaults to start + durationMinutes. */
  end?: string | Date;
  durationMinutes?: number;
  eventName?: string;
  /** Shorthand for a single host. */
  hostEmail?: string;
  /** Every host, in order (collective/round-robin events); `[]` for none. Wins over hostEmail. */
  hostEmails?: readonly string[];
  invitee?: { name?: string | null; email?: string; timezone?: string | null };
  /** Defaults to `locations.custom()`; `null` for an event type without a location. */
  location?: CalendlyLocation | null;
  /** Group events: partial `invitees_counter`; missing numbers are derived from the given ones. */
  seats?: Partial<InviteesCounter>;
  /** The booking this one replaces (the `invitee.created` half of a reschedule). */
  oldInvitee?: InviteeRef;
  /** When Calendly created the delivery. */
  createdAt?: string;
}

export interface InviteeCanceledOptions extends Omit<InviteeCreatedOptions, 'oldInvitee'> {
  /** Defaults to true exactly when newInvitee is given. */
  rescheduled?: boolean;
  /** The booking that replaces this one (the `invitee.canceled` half of a reschedule). */
  newInvitee?: InviteeRef;
  cancellation?: { canceledBy?: string; reason?: string | null; cancelerType?: string };
}

/** An `invitee.created` delivery body. */
export function buildInviteeCreated(options: InviteeCreatedOptions = {}): InviteeWebhookBody {
  return build('invitee.created', options, {
    rescheduled: false,
    oldInvitee: options.oldInvitee,
    newInvitee: undefined,
  });
}

/** An `invitee.canceled` delivery body (a reschedule when `newInvitee` is given). */
export function buildInviteeCanceled(options: InviteeCanceledOptions = {}): InviteeWebhookBody {
  const body = build('invitee.canceled', options, {
    rescheduled: options.rescheduled ?? options.newInvitee !== undefined,
    oldInvitee: undefined,
    newInvitee: options.newInvitee,
  });
  const cancellation: CalendlyCancellation = {
    canceled_by: options.cancellation?.canceledBy ?? body.payload.name ?? 'Invitee',
    reason: options.cancellation?.reason === undefined ? null : options.cancellation.reason,
    canceler_type: options.cancellation?.cancelerType ?? 'invitee',
    created_at: body.created_at,
  };
  // Calendly repeats the cancellation on the scheduled event and on the invitee.
  body.payload.cancellation = cancellation;
  body.payload.scheduled_event.cancellation = { ...cancellation };
  return body;
}

/** The raw body and headers of a delivery signed as Calendly signs it. */
export function signedDelivery(
  body: unknown,
  { signingKey, timestamp }: { signingKey: string; timestamp: number },
): { rawBody: string; header: string; headers: Record<string, string> } {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const header = signCalendlyPayload(rawBody, signingKey, timestamp);
  return {
    rawBody,
    header,
    headers: { 'content-type': 'application/json', 'calendly-webhook-signature': header },
  };
}

function build(
  event: InviteeWebhookBody['event'],
  o: InviteeCreatedOptions,
  links: { rescheduled: boolean; oldInvitee?: InviteeRef; newInvitee?: InviteeRef },
): InviteeWebhookBody {
  const canceled = event === 'invitee.canceled';
  const eventUuid = o.eventUuid ?? DEFAULT_EVENT_UUID;
  const inviteeUuid = o.inviteeUuid ?? DEFAULT_INVITEE_UUID;
  const start = o.start ?? DEFAULT_START;
  const end =
    o.end ??
    new Date(asDate(start).getTime() + (o.durationMinutes ?? DEFAULT_DURATION_MINUTES) * 60_000);
  const createdAt = o.createdAt ?? '2026-03-02T15:04:06.000000Z';
  const hosts = o.hostEmails ?? [o.hostEmail ?? DEFAULT_HOST_EMAIL];
  const name = o.invitee?.name === undefined ? 'Jane Doe' : o.invitee.name;
  const status = canceled ? 'canceled' : 'active';
  return {
    event,
    created_at: createdAt,
    created_by: HOST_USER_URI,
    payload: {
      uri: inviteeUri(eventUuid, inviteeUuid),
      email: o.invitee?.email ?? 'jane.doe@example.com',
      first_name: null,
      last_name: null,
      name,
      status,
      timezone: o.invitee?.timezone === undefined ? 'America/New_York' : o.invitee.timezone,
      event: scheduledEventUri(eventUuid),
      created_at: createdAt,
      updated_at: createdAt,
      questions_and_answers: [
        {
          question: 'What would you like to discuss?',
          answer: 'Onboarding questions',
          position: 0,
        },
      ],
      tracking: {
        utm_campaign: null,
        utm_source: null,
        utm_medium: null,
        utm_content: null,
        utm_term: null,
        salesforce_uuid: null,
      },
      text_reminder_number: null,
      rescheduled: links.rescheduled,
      old_invitee: ref(links.oldInvitee),
      new_invitee: ref(links.newInvitee),
      cancel_url: `https://calendly.com/cancellations/${inviteeUuid}`,
      reschedule_url: `https://calendly.com/reschedulings/${inviteeUuid}`,
      routing_form_submission: null,
      payment: null,
      no_show: null,
      reconfirmation: null,
      scheduling_method: null,
      invitee_scheduled_by: null,
      scheduled_event: {
        uri: scheduledEventUri(eventUuid),
        name: o.eventName ?? '30 Minute Consultation',
        meeting_notes_plain: null,
        meeting_notes_html: null,
        status,
        start_time: calendlyTime(start),
        end_time: calendlyTime(end),
        event_type: EVENT_TYPE_URI,
        location: o.location === undefined ? locations.custom() : o.location,
        invitees_counter: counter(o.seats, canceled),
        created_at: createdAt,
        updated_at: createdAt,
        event_memberships: hosts.map((email, i) => ({
          user: `${CALENDLY_API_URL}/users/host-${i + 1}`,
          user_email: email,
          user_name: `Host ${i + 1}`,
        })),
        event_guests: [],
      },
    },
  };
}

function counter(seats: Partial<InviteesCounter> | undefined, canceled: boolean): InviteesCounter {
  const active = seats?.active ?? (canceled ? 0 : 1);
  const total = seats?.total ?? Math.max(active, 1);
  return { active, total, limit: seats?.limit ?? Math.max(total, 1) };
}

function ref(r: InviteeRef | undefined): string | null {
  if (r === undefined) return null;
  return typeof r === 'string' ? r : inviteeUri(r.eventUuid, r.inviteeUuid);
}

function asDate(t: string | Date): Date {
  return typeof t === 'string' ? new Date(t) : t;
}

/** Strings pass through untouched; Dates get Calendly's microsecond format. */
function calendlyTime(t: string | Date): string {
  return typeof t === 'string' ? t : t.toISOString().replace(/Z$/, '000Z');
}
