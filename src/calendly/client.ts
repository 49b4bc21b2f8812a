import type { HttpClient } from '../http';
import { CalendlyApiError } from './api-error';
import {
  apiError,
  createCalendlyApi,
  DEFAULT_CALENDLY_API_URL,
  type CalendlyApi,
} from './calendly-api';
import { isObject, lastSegment, str, strOrNull, type Json } from './json';

export { CalendlyApiError, DEFAULT_CALENDLY_API_URL };

export interface CalendlyUser {
  uri: string;
  name: string;
  email: string;
  organization: string;
  timezone: string | null;
}

export type WebhookEvent = 'invitee.created' | 'invitee.canceled';

export interface WebhookSubscription {
  uri: string;
  uuid: string;
  callbackUrl: string;
  state: string;
  events: string[];
  scope: 'organization' | 'user' | string;
  organization: string | null;
  user: string | null;
  createdAt: string | null;
  retryStartedAt: string | null;
}

export interface CreateSubscriptionInput {
  url: string;
  events: readonly WebhookEvent[];
  organization: string;
  scope: 'organization' | 'user';
  /** Required by Calendly when scope is `user`. */
  user?: string;
  /** Write-only in Calendly: whoever verifies deliveries must keep it. */
  signingKey: string;
}

export interface ScheduledEventSummary {
  uri: string;
  uuid: string;
  name: string;
  status: 'active' | 'canceled' | string;
  startTime: string;
  endTime: string;
  hostEmails: string[];
  locationJoinUrl: string | null;
  locationType: string | null;
}

export interface InviteeSummary {
  uri: string;
  name: string;
  email: string;
  status: 'active' | 'canceled' | string;
  timezone: string | null;
  rescheduled: boolean;
  oldInvitee: string | null;
  newInvitee: string | null;
  createdAt: string | null;
}

/** Whose events: an organization URI or a user URI, as Calendly's list endpoints take them. */
export type EventOwner = { organization: string } | { user: string };

/**
 * A resource exactly as Calendly's API answers it. The invitee and scheduled-event resources have
 * the shape of a webhook payload's parts, so the webhook parser reads them (invitee-from-api.ts).
 */
export type CalendlyResource = Json;

export interface CalendlyClient {
  getCurrentUser(): Promise<CalendlyUser>;
  createWebhookSubscription(input: CreateSubscriptionInput): Promise<WebhookSubscription>;
  listWebhookSubscriptions(query: {
    organization: string;
    scope: 'organization' | 'user';
    user?: string;
  }): Promise<WebhookSubscription[]>;
  /** `uriOrUuid`: the subscription's URI or its UUID. Already gone (404) counts as done. */
  deleteWebhookSubscription(uriOrUuid: string): Promise<'deleted' | 'already_gone'>;
  /** Every page. `minStartTime`/`maxStartTime` are ISO 8601. */
  listScheduledEvents(query: {
    organization?: string;
    user?: string;
    minStartTime?: string;
    maxStartTime?: string;
    status?: 'active' | 'canceled';
  }): Promise<ScheduledEventSummary[]>;
  /** Every page of one scheduled event's invitees. */
  listEventInvitees(eventUri: string): Promise<InviteeSummary[]>;
  /** `GET /scheduled_events/{event}/invitees/{invitee}`: the invitee URI is that URL. */
  getInvitee(eventUuid: string, inviteeUuid: string): Promise<CalendlyResource>;
  /** `GET /scheduled_events/{event}`. */
  getScheduledEvent(eventUuid: string): Promise<CalendlyResource>;
  /** One page: the `count` latest-starting events, latest first. */
  recentScheduledEvents(
    query: EventOwner & { status?: 'active' | 'canceled'; count: number },
  ): Promise<CalendlyResource[]>;
  /** One page: the `count` most recently booked invitees of an event, newest first. */
  recentEventInvitees(
    eventUuid: string,
    query: { status?: 'active' | 'canceled'; count: number },
  ): Promise<CalendlyResource[]>;
}

const PAGE_SIZE = '100';

/** The Calendly API v2 with a personal access token, over the HTTP port. */
export function createCalendlyClient(options: {
  http: HttpClient;
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
}): CalendlyClient {
  const api = createCalendlyApi(options);
  return {
    getCurrentUser: () => getCurrentUser(api),
    createWebhookSubscription: (input) => createWebhookSubscription(api, input),
    listWebhookSubscriptions: (query) => listWebhookSubscriptions(api, query),
    deleteWebhookSubscription: (ref) => deleteWebhookSubscription(api, ref),
    listScheduledEvents: (query) => listScheduledEvents(api, query),
    listEventInvitees: (eventUri) => listEventInvitees(api, eventUri),
    getInvitee: (eventUuid, inviteeUuid) => getInvitee(api, eventUuid, inviteeUuid),
    getScheduledEvent: (eventUuid) => getScheduledEvent(api, eventUuid),
    recentScheduledEvents: (query) => recentScheduledEvents(api, query),
    recentEventInvitees: (eventUuid, query) => recentEventInvitees(api, eventUuid, query),
  };
}

async function getCurrentUser(api: CalendlyApi): Promise<CalendlyUser> {
  const action = 'read the current user (GET /users/me)';
  const body = await api.json('GET', '/users/me', action);
  const user = isObject(body['resource']) ? body['resource'] : {};
  // Everything else (subscriptions, events) is addressed through these two URIs.
  for (const field of ['uri', 'current_organization']) {
    if (!strOrNull(user[field])) {
      throw new CalendlyApiError(200, null, `Calendly's answer to ${action} has no ${field}.`);
    }
  }
  return {
    uri: str(user['uri']),
    name: str(user['name']),
    email: str(user['email']),
    organization: str(user['current_organization']),
    timezone: strOrNull(user['timezone']),
  };
}

async function createWebhookSubscription(
  api: CalendlyApi,
  input: CreateSubscriptionInput,
): Promise<WebhookSubscription> {
  const body = await api.json('POST', '/webhook_subscriptions', 'create the webhook subscription', {
    url: input.url,
    events: input.events,
    organization: input.organization,
    ...(input.scope === 'user' ? { user: input.user } : {}),
    scope: input.scope,
    signing_key: input.signingKey,
  });
  return toSubscription(isObject(body['resource']) ? body['resource'] : {});
}

async function listWebhookSubscriptions(
  api: CalendlyApi,
  query: { organization: string; scope: 'organization' | 'user'; user?: string },
): Promise<WebhookSubscription[]> {
  const params = new URLSearchParams({
    organization: query.organization,
    scope: query.scope,
    count: PAGE_SIZE,
  });
  if (query.user) params.set('user', query.user);
  const items = await api.allPages(
    `/webhook_subscriptions?${params}`,
    'list webhook subscriptions',
  );
  return items.map(toSubscription);
}

async function deleteWebhookSubscription(
  api: CalendlyApi,
  uriOrUuid: string,
): Promise<'deleted' | 'already_gone'> {
  // By UUID on the configured API URL, whatever host the URI names (the token goes nowhere else).
  const path = `/webhook_subscriptions/${encodeURIComponent(lastSegment(uriOrUuid))}`;
  const action = 'delete the webhook subscription';
  const response = await api.request('DELETE', path, action);
  if (response.status === 404) return 'already_gone';
  if (response.status < 200 || response.status >= 300) throw apiError(response, action);
  return 'deleted';
}

async function listScheduledEvents(
  api: CalendlyApi,
  query: Parameters<CalendlyClient['listScheduledEvents']>[0],
): Promise<ScheduledEventSummary[]> {
  const params = new URLSearchParams({ count: PAGE_SIZE, sort: 'start_time:asc' });
  if (query.organization) params.set('organization', query.organization);
  if (query.user) params.set('user', query.user);
  if (query.minStartTime) params.set('min_start_time', query.minStartTime);
  if (query.maxStartTime) params.set('max_start_time', query.maxStartTime);
  if (query.status) params.set('status', query.status);
  const items = await api.allPages(`/scheduled_events?${params}`, 'list scheduled events');
  return items.map(toEventSummary);
}

async function listEventInvitees(api: CalendlyApi, eventUri: string): Promise<InviteeSummary[]> {
  const params = new URLSearchParams({ count: PAGE_SIZE });
  const items = await api.allPages(
    `${eventPath(lastSegment(eventUri))}/invitees?${params}`,
    'list the invitees of an event',
  );
  return items.map(toInviteeSummary);
}

async function getInvitee(
  api: CalendlyApi,
  eventUuid: string,
  inviteeUuid: string,
): Promise<CalendlyResource> {
  const path = `${eventPath(eventUuid)}/invitees/${encodeURIComponent(inviteeUuid)}`;
  return resourceOf(await api.json('GET', path, 'read the invitee'), 'read the invitee');
}

async function getScheduledEvent(api: CalendlyApi, eventUuid: string): Promise<CalendlyResource> {
  const action = 'read the scheduled event';
  return resourceOf(await api.json('GET', eventPath(eventUuid), action), action);
}

async function recentScheduledEvents(
  api: CalendlyApi,
  query: EventOwner & { status?: 'active' | 'canceled'; count: number },
): Promise<CalendlyResource[]> {
  const params = new URLSearchParams({ count: String(query.count), sort: 'start_time:desc' });
  if ('organization' in query) params.set('organization', query.organization);
  else params.set('user', query.user);
  if (query.status) params.set('status', query.status);
  return api.firstPage(`/scheduled_events?${params}`, 'list recent scheduled events');
}

async function recentEventInvitees(
  api: CalendlyApi,
  eventUuid: string,
  query: { status?: 'active' | 'canceled'; count: number },
): Promise<CalendlyResource[]> {
  const params = new URLSearchParams({ count: String(query.count), sort: 'created_at:desc' });
  if (query.status) params.set('status', query.status);
  return api.firstPage(
    `${eventPath(eventUuid)}/invitees?${params}`,
    'list the invitees of an event',
  );
}

/** By UUID on the configured API URL, whatever host a URI names. */
function eventPath(eventUuid: string): string {
  return `/scheduled_events/${encodeURIComponent(eventUuid)}`;
}

function resourceOf(body: Json, action: string): CalendlyResource {
  const resource = body['resource'];
  if (!isObject(resource)) {
    throw new CalendlyApiError(200, null, `Calendly's answer to ${action} has no resource.`);
  }
  return resource;
}

function toEventSummary(e: Json): ScheduledEventSummary {
  const location = isObject(e['location']) ? e['location'] : {};
  const members = Array.isArray(e['event_memberships']) ? e['event_memberships'] : [];
  return {
    uri: str(e['uri']),
    uuid: lastSegment(str(e['uri'])),
    name: str(e['name']),
    status: str(e['status']),
    startTime: str(e['start_time']),
    endTime: str(e['end_time']),
    hostEmails: members
      .map((m) => (isObject(m) ? m['user_email'] : null))
      .filter((x): x is string => typeof x === 'string'),
    locationJoinUrl: strOrNull(location['join_url']),
    locationType: strOrNull(location['type']),
  };
}

function toInviteeSummary(i: Json): InviteeSummary {
  return {
    uri: str(i['uri']),
    name: str(i['name']),
    email: str(i['email']),
    status: str(i['status']),
    timezone: strOrNull(i['timezone']),
    rescheduled: i['rescheduled'] === true,
    oldInvitee: strOrNull(i['old_invitee']),
    newInvitee: strOrNull(i['new_invitee']),
    createdAt: strOrNull(i['created_at']),
  };
}

function toSubscription(r: Json): WebhookSubscription {
  const uri = str(r['uri']);
  return {
    uri,
    uuid: lastSegment(uri),
    callbackUrl: str(r['callback_url']),
    state: str(r['state']),
    events: Array.isArray(r['events'])
      ? r['events'].filter((e): e is string => typeof e === 'string')
      : [],
    scope: str(r['scope']),
    organization: strOrNull(r['organization']),
    user: strOrNull(r['user']),
    createdAt: strOrNull(r['created_at']),
    retryStartedAt: strOrNull(r['retry_started_at']),
  };
}
