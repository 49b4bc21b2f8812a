import type { InviteeEvent } from '../../src/calendly/invitee-event';

const API = 'https://api.calendly.com';

export interface EventSpec {
  event?: string;
  invitee?: string;
  start?: string;
  minutes?: number;
  host?: string | null;
  rescheduled?: boolean;
  oldInvitee?: string | null;
  newInvitee?: string | null;
  location?: InviteeEvent['location'];
}

/** The URI of invitee `invitee` on scheduled event `event`, as Calendly writes it. */
export function inviteeUri(event: string, invitee: string): string {
  return `${API}/scheduled_events/${event}/invitees/${invitee}`;
}

/** An already-parsed invitee event, for lifecycle tests that need no JSON. */
export function inviteeEvent(kind: InviteeEvent['kind'], spec: EventSpec = {}): InviteeEvent {
  const event = spec.event ?? 'ev-1';
  const invitee = spec.invitee ?? 'inv-1';
  const start = spec.start ?? '2026-12-01T15:00:00Z';
  const minutes = spec.minutes ?? 30;
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  const host = spec.host === undefined ? 'host@example.com' : spec.host;
  return {
    kind,
    eventUri: `${API}/scheduled_events/${event}`,
    eventUuid: event,
    inviteeUri: inviteeUri(event, invitee),
    inviteeUuid: invitee,
    eventName: 'Discovery Call',
    eventTypeUri: `${API}/event_types/et-1`,
    startTime: start,
    endTime: end,
    durationMinutes: minutes,
    hostEmail: host,
    hostEmails: host ? [host] : [],
    invitee: { name: `Invitee ${invitee}`, email: `${invitee}@example.com`, timezone: 'UTC' },
    rescheduled: spec.rescheduled ?? false,
    oldInviteeUri: spec.oldInvitee ?? null,
    newInviteeUri: spec.newInvitee ?? null,
    location: spec.location ?? { type: 'custom', status: null, joinUrl: null },
    seats: { active: 1, total: 1, limit: 1 },
    cancellation:
      kind === 'invitee.canceled'
        ? { canceledBy: 'x', reason: null, cancelerType: 'invitee' }
        : null,
    questionsAndAnswers: [],
    cancelUrl: null,
    rescheduleUrl: null,
    deliveredAt: null,
    format: 'v2',
  };
}

export const created = (spec?: EventSpec): InviteeEvent => inviteeEvent('invitee.created', spec);
export const canceled = (spec?: EventSpec): InviteeEvent => inviteeEvent('invitee.canceled', spec);

/** Both halves of a reschedule of `from` (event, invitee) to `to`. */
export function reschedule(
  from: { event: string; invitee: string },
  to: { event: string; invitee: string; start?: string; minutes?: number },
): { cancel: InviteeEvent; create: InviteeEvent } {
  return {
    cancel: canceled({
      ...from,
      rescheduled: true,
      newInvitee: inviteeUri(to.event, to.invitee),
    }),
    create: created({ ...to, oldInvitee: inviteeUri(from.event, from.invitee) }),
  };
}
