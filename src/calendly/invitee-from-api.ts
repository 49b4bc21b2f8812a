import type { CalendlyClient, CalendlyResource } from './client';
import { parseInviteeEvent, type InviteeEvent } from './invitee-event';
import { isObject, strOrNull } from './json';

/** A booking as Calendly's API has it now, in the lifecycle's terms. */
export interface ApiBooking {
  event: InviteeEvent;
  /** The first host's name (event membership), for people-facing output. */
  hostName: string | null;
}

/** The two ids an invitee URI names: `…/scheduled_events/{event}/invitees/{invitee}`. */
export function inviteeRefOf(uri: string): { eventUuid: string; inviteeUuid: string } | null {
  const match = /\/scheduled_events\/([^/?#\s]+)\/invitees\/([^/?#\s]+)\/?$/.exec(uri.trim());
  return match ? { eventUuid: match[1] as string, inviteeUuid: match[2] as string } : null;
}

/**
 * The InviteeEvent for an invitee and its scheduled event as the API answers them. A webhook's
 * payload *is* the invitee resource with its scheduled event embedded, so the webhook parser reads
 * them and every rule (times, hosts, locations, reschedule links) is applied once. The kind is the
 * invitee's own state: a canceled invitee is a cancellation, rescheduled or not.
 */
export function inviteeEventFromApi(
  invitee: CalendlyResource,
  scheduledEvent: CalendlyResource,
): InviteeEvent {
  return parseInviteeEvent({
    event: invitee['status'] === 'canceled' ? 'invitee.canceled' : 'invitee.created',
    payload: { ...invitee, scheduled_event: scheduledEvent },
  });
}

/** Reads an invitee and its scheduled event (two GETs, side by side: the URI names both). */
export async function fetchBooking(
  calendly: Pick<CalendlyClient, 'getInvitee' | 'getScheduledEvent'>,
  ref: { eventUuid: string; inviteeUuid: string },
): Promise<ApiBooking> {
  const [invitee, scheduledEvent] = await Promise.all([
    calendly.getInvitee(ref.eventUuid, ref.inviteeUuid),
    calendly.getScheduledEvent(ref.eventUuid),
  ]);
  return {
    event: inviteeEventFromApi(invitee, scheduledEvent),
    hostName: firstHostName(scheduledEvent),
  };
}

function firstHostName(scheduledEvent: CalendlyResource): string | null {
  const members = scheduledEvent['event_memberships'];
  const first: unknown = Array.isArray(members) ? members[0] : undefined;
  return isObject(first) ? strOrNull(first['user_name']) : null;
}
