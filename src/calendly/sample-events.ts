import { randomUUID } from 'node:crypto';
import { DEFAULT_CALENDLY_API_URL } from './calendly-api';
import type { InviteeEventKind } from './invitee-event';

const SAMPLE_DURATION_MINUTES = 30;
const HOUR_MS = 3_600_000;

export interface SampleEventOptions {
  kind: InviteeEventKind;
  /** Clock for "tomorrow" and the delivery's created_at. */
  now: number;
  /** Fresh random UUIDs unless given: give both to cancel a booking sent before. */
  eventUuid?: string;
  inviteeUuid?: string;
  /** The Calendly host; the receiver makes the meeting under this Zoom user (or its default). */
  hostEmail: string;
  /** Where the URIs point (CALENDLY_API_URL); the sandbox's is a loopback address. */
  apiUrl?: string;
  /** Start (ms since the epoch); default tomorrow on the hour. */
  start?: number;
  /** A reschedule: the canceled half names the new invitee, the created half the old one. */
  newInviteeUri?: string;
  oldInviteeUri?: string;
}

export interface SampleEvent {
  eventUuid: string;
  inviteeUuid: string;
  /** An API v2 invitee webhook body, as Calendly sends it. */
  body: Record<string, unknown>;
}

/**
 * A Calendly v2 invitee event for testing a receiver or a Make scenario end to end. Its location
 * is a custom one without a Zoom link: a booking that already carries Calendly's own Zoom link is
 * skipped by the receiver, and a test event must make a meeting. It starts tomorrow on the hour,
 * so the meeting is upcoming and easy to find.
 */
export function buildSampleEvent(options: SampleEventOptions): SampleEvent {
  const eventUuid = options.eventUuid ?? randomUUID();
  const inviteeUuid = options.inviteeUuid ?? randomUUID();
  const canceled = options.kind === 'invitee.canceled';
  // Calendly's production URIs unless told: receivers treat them as ids.
  const api = options.apiUrl ?? DEFAULT_CALENDLY_API_URL;
  const eventUri = `${api}/scheduled_events/${eventUuid}`;
  const start = options.start ?? Math.ceil((options.now + 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const end = start + SAMPLE_DURATION_MINUTES * 60_000;
  const createdAt = calendlyTime(options.now);
  const status = canceled ? 'canceled' : 'active';
  const hostUri = `${api}/users/calendly-zoom-sample-host`;
  const cancellation = canceled
    ? {
        canceled_by: 'Test Invitee',
        reason: 'Sent by calendly-zoom trigger',
        canceler_type: 'invitee',
        created_at: createdAt,
      }
    : undefined;

  const scheduledEvent = {
    uri: eventUri,
    name: 'calendly-zoom test booking',
    meeting_notes_plain: null,
    meeting_notes_html: null,
    status,
    start_time: calendlyTime(start),
    end_time: calendlyTime(end),
    event_type: `${api}/event_types/calendly-zoom-sample`,
    location: { type: 'custom', location: 'Test booking sent by calendly-zoom trigger' },
    invitees_counter: { total: 1, active: canceled ? 0 : 1, limit: 1 },
    created_at: createdAt,
    updated_at: createdAt,
    event_memberships: [{ user: hostUri, user_email: options.hostEmail, user_name: 'Host' }],
    event_guests: [],
    ...(cancellation ? { cancellation } : {}),
  };

  const payload = {
    uri: `${eventUri}/invitees/${inviteeUuid}`,
    email: 'test.invitee@example.com',
    first_name: null,
    last_name: null,
    name: 'Test Invitee',
    status,
    timezone: 'UTC',
    event: eventUri,
    created_at: createdAt,
    updated_at: createdAt,
    questions_and_answers: [],
    tracking: {
      utm_campaign: null,
      utm_source: 'calendly-zoom-trigger',
      utm_medium: null,
      utm_content: null,
      utm_term: null,
      salesforce_uuid: null,
    },
    text_reminder_number: null,
    rescheduled: canceled && options.newInviteeUri !== undefined,
    old_invitee: options.oldInviteeUri ?? null,
    new_invitee: canceled ? (options.newInviteeUri ?? null) : null,
    cancel_url: `https://calendly.com/cancellations/${inviteeUuid}`,
    reschedule_url: `https://calendly.com/reschedulings/${inviteeUuid}`,
    routing_form_submission: null,
    payment: null,
    no_show: null,
    reconfirmation: null,
    scheduling_method: null,
    invitee_scheduled_by: null,
    scheduled_event: scheduledEvent,
    ...(cancellation ? { cancellation } : {}),
  };

  return {
    eventUuid,
    inviteeUuid,
    body: { event: options.kind, created_at: createdAt, created_by: hostUri, payload },
  };
}

/** Calendly writes microseconds: `2026-03-10T14:00:00.000000Z`. */
function calendlyTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
