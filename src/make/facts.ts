// The booking facts, as Make formulas over the parsed delivery. A "Set variables" module would
// compute them once but costs an operation on every run, so each fact is written out where it is
// used; this file is the one place each is defined.

import { payload, type BuildContext } from './build-context';
import { CALENDLY_TIME_FORMAT, jsonSafe, lit } from './formula';
import { EVENT_HOST, parseTopicTemplate, type TopicPlaceholder } from './options';

/** The scheduled event's UUID: the record key. */
export function eventUuid(ctx: BuildContext): string {
  return `last(split(${payload(ctx, 'payload.scheduled_event.uri')}; "/"))`;
}

export function eventUri(ctx: BuildContext): string {
  return payload(ctx, 'payload.scheduled_event.uri');
}

/** The invitee's UUID: what per-invitee state in the record is kept by. */
export function inviteeUuid(ctx: BuildContext): string {
  return `last(split(${payload(ctx, 'payload.uri')}; "/"))`;
}

/**
 * The scheduled event and the invitee of another booking, from its invitee URI
 * (`…/scheduled_events/<event>/invitees/<invitee>`): `old_invitee` on a rescheduled create,
 * `new_invitee` on a rescheduled cancel. Split on the segment name, not on "/", so the empty piece
 * in "https://" does not matter.
 */
export function linkedEventUuid(ctx: BuildContext, link: 'old_invitee' | 'new_invitee'): string {
  return `get(split(get(split(${payload(ctx, `payload.${link}`)}; "/scheduled_events/"); 2); "/"); 1)`;
}

export function linkedInviteeUuid(ctx: BuildContext, link: 'old_invitee' | 'new_invitee'): string {
  return `last(split(${payload(ctx, `payload.${link}`)}; "/"))`;
}

export function rescheduled(ctx: BuildContext): string {
  return payload(ctx, 'payload.rescheduled');
}

/** A cancel's `superseded_by`: the replacing event's UUID when the cancel is half of a reschedule. */
export function supersededBy(ctx: BuildContext): string {
  return `if(${rescheduled(ctx)}; ${linkedEventUuid(ctx, 'new_invitee')}; "")`;
}

function calendlyDate(ctx: BuildContext, field: 'start_time' | 'end_time'): string {
  return `parseDate(${payload(ctx, `payload.scheduled_event.${field}`)}; ${lit(CALENDLY_TIME_FORMAT)})`;
}

/** Meeting start in UTC as Zoom takes it; text with the `Z` outside the formula. */
export function startTime(ctx: BuildContext): string {
  return `{{formatDate(${calendlyDate(ctx, 'start_time')}; "YYYY-MM-DDTHH:mm:ss"; "UTC")}}Z`;
}

/** Calendly v2 sends no duration: end − start, in minutes. */
export function durationMinutes(ctx: BuildContext): string {
  return `round((${calendlyDate(ctx, 'end_time')} - ${calendlyDate(ctx, 'start_time')}) / 60000)`;
}

/** End of the booking in Unix seconds (text). */
export function endUnix(ctx: BuildContext): string {
  return `formatDate(${calendlyDate(ctx, 'end_time')}; "X")`;
}

/** The Zoom user in `POST /users/{user}/meetings`: the configured one, or the Calendly host. */
export function zoomUser(ctx: BuildContext): string {
  return ctx.options.zoomHost === EVENT_HOST ? `{{${calendlyHost(ctx)}}}` : ctx.options.zoomHost;
}

/**
 * The topic template as one formula (so it can be cut to Zoom's 200 characters): literal parts
 * as text literals, placeholders JSON-safe, joined with `+`.
 */
export function topic(ctx: BuildContext): string {
  const values: Record<TopicPlaceholder, string> = {
    event: payload(ctx, 'payload.scheduled_event.name'),
    invitee: payload(ctx, 'payload.name'),
    invitee_email: payload(ctx, 'payload.email'),
    host: calendlyHost(ctx),
  };
  return parseTopicTemplate(ctx.options.topicTemplate)
    .map((part) => ('text' in part ? lit(part.text) : jsonSafe(values[part.placeholder])))
    .join(' + ');
}

/** The scheduled event's (first) host, by email. */
function calendlyHost(ctx: BuildContext): string {
  return `get(map(${payload(ctx, 'payload.scheduled_event.event_memberships')}; "user_email"); 1)`;
}
