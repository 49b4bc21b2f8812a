import type { HttpClient, HttpResponse } from '../http';
import { CalendlyZoomError } from '../errors';

export const DEFAULT_CALENDLY_API_URL = 'https://api.calendly.com';

/** Calendly answered with an error. `title` and `detail` are Calendly's; `message` says what to do. */
export class CalendlyApiError extends CalendlyZoomError {
  readonly kind = 'calendly_api';

  constructor(
    readonly status: number,
    readonly title: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** No answer at all (status 0), rate limited or Calendly's side failed: worth trying later. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

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
}

type Json = Record<string, unknown>;

const PAGE_SIZE = '100';
/** A bound for runaway pagination (a next_page that never ends); far above real organisations. */
const MAX_PAGES = 1000;

/** The Calendly API v2 with a personal access token, over the HTTP port. */
export function createCalendlyClient(options: {
  http: HttpClient;
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
}): CalendlyClient {
  const apiUrl = (options.apiUrl ?? DEFAULT_CALENDLY_API_URL).replace(/\/+$/, '');

  /** `path` is relative to the configured API URL, so the token only ever goes there. */
  async function request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    action: string,
    body?: unknown,
  ): Promise<HttpResponse> {
    try {
      return await options.http({
        method,
        url: `${apiUrl}${path}`,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: options.timeoutMs ?? 10_000,
      });
    } catch (cause) {
      // The transport's message names the failure (ECONNREFUSED, timeout) and never the query.
      const why = cause instanceof Error ? ` (${cause.message})` : '';
      throw new CalendlyApiError(0, null, `Could not reach Calendly to ${action}${why}.`, {
        cause,
      });
    }
  }

  async function json(
    method: 'GET' | 'POST',
    path: string,
    action: string,
    body?: unknown,
  ): Promise<Json> {
    const response = await request(method, path, action, body);
    if (response.status < 200 || response.status >= 300) throw apiError(response, action);
    try {
      return JSON.parse(response.body) as Json;
    } catch (cause) {
      throw new CalendlyApiError(
        response.status,
        null,
        `Calendly sent a non-JSON answer to ${action}.`,
        { cause },
      );
    }
  }

  async function allPages(firstPath: string, action: string): Promise<Json[]> {
    const items: Json[] = [];
    const endpoint = firstPath.split('?')[0] ?? firstPath;
    const seen = new Set<string>();
    let next: string | null = firstPath;
    while (next !== null) {
      if (seen.size >= MAX_PAGES) {
        throw new CalendlyApiError(
          200,
          null,
          `Calendly kept returning further pages while trying to ${action} (more than ${MAX_PAGES}); stopped rather than return a partial list.`,
        );
      }
      const body: Json = await json('GET', next, action);
      const collection = body['collection'];
      if (Array.isArray(collection)) items.push(...collection.filter(isObject));
      const pagination = isObject(body['pagination']) ? body['pagination'] : {};
      const nextPage = pagination['next_page'];
      if (typeof nextPage !== 'string' || nextPage === '') break;
      // next_page is the same endpoint with a page_token. Only its query is kept: the bearer
      // token goes to the configured API URL, never to a host named inside a response.
      const query = new URL(nextPage, `${apiUrl}/`).search;
      if (seen.has(query)) {
        throw new CalendlyApiError(
          200,
          null,
          `Calendly returned the same next page twice while trying to ${action}.`,
        );
      }
      seen.add(query);
      next = `${endpoint}${query}`;
    }
    return items;
  }

  return {
    async getCurrentUser() {
      const action = 'read the current user (GET /users/me)';
      const body = await json('GET', '/users/me', action);
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
    },

    async createWebhookSubscription(input) {
      const body = await json('POST', '/webhook_subscriptions', 'create the webhook subscription', {
        url: input.url,
        events: input.events,
        organization: input.organization,
        ...(input.scope === 'user' ? { user: input.user } : {}),
        scope: input.scope,
        signing_key: input.signingKey,
      });
      return toSubscription(isObject(body['resource']) ? body['resource'] : {});
    },

    async listWebhookSubscriptions(query) {
      const params = new URLSearchParams({
        organization: query.organization,
        scope: query.scope,
        count: PAGE_SIZE,
      });
      if (query.user) params.set('user', query.user);
      const items = await allPages(
        `/webhook_subscriptions?${params}`,
        'list webhook subscriptions',
      );
      return items.map(toSubscription);
    },

    async deleteWebhookSubscription(uriOrUuid) {
      // By UUID on the configured API URL, whatever host the URI names (the token goes nowhere else).
      const path = `/webhook_subscriptions/${encodeURIComponent(lastSegment(uriOrUuid))}`;
      const action = 'delete the webhook subscription';
      const response = await request('DELETE', path, action);
      if (response.status === 404) return 'already_gone';
      if (response.status < 200 || response.status >= 300) throw apiError(response, action);
      return 'deleted';
    },

    async listScheduledEvents(query) {
      const params = new URLSearchParams({ count: PAGE_SIZE, sort: 'start_time:asc' });
      if (query.organization) params.set('organization', query.organization);
      if (query.user) params.set('user', query.user);
      if (query.minStartTime) params.set('min_start_time', query.minStartTime);
      if (query.maxStartTime) params.set('max_start_time', query.maxStartTime);
      if (query.status) params.set('status', query.status);
      const items = await allPages(`/scheduled_events?${params}`, 'list scheduled events');
      return items.map((e) => {
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
      });
    },

    async listEventInvitees(eventUri) {
      const params = new URLSearchParams({ count: PAGE_SIZE });
      const uuid = encodeURIComponent(lastSegment(eventUri));
      const items = await allPages(
        `/scheduled_events/${uuid}/invitees?${params}`,
        'list the invitees of an event',
      );
      return items.map((i) => ({
        uri: str(i['uri']),
        name: str(i['name']),
        email: str(i['email']),
        status: str(i['status']),
        timezone: strOrNull(i['timezone']),
        rescheduled: i['rescheduled'] === true,
        oldInvitee: strOrNull(i['old_invitee']),
        newInvitee: strOrNull(i['new_invitee']),
        createdAt: strOrNull(i['created_at']),
      }));
    },
  };
}

/** Turns Calendly's error answers into sentences a user can act on. */
function apiError(response: HttpResponse, action: string): CalendlyApiError {
  let title: string | null = null;
  let detail = '';
  let parameters: string[] = [];
  try {
    const body = JSON.parse(response.body) as Json;
    title = strOrNull(body['title']);
    detail = strOrNull(body['message']) ?? '';
    // 400s name the offending parameters in `details`; the sentence alone says only "invalid".
    parameters = (Array.isArray(body['details']) ? body['details'] : [])
      .filter(isObject)
      .map((d) => [strOrNull(d['parameter']), strOrNull(d['message'])].filter(Boolean).join(': '))
      .filter((d) => d !== '');
  } catch {
    // Not JSON (a proxy's error page): the status alone must do.
  }
  const said =
    (detail ? ` Calendly said: "${detail}"` : '') +
    (parameters.length > 0 ? ` (${parameters.join('; ')})` : '');
  const status = response.status;
  let message: string;
  if (status === 401) {
    message = `Calendly refused the token while trying to ${action}: check CALENDLY_TOKEN (a personal access token from Calendly > Integrations & Apps > API & Webhooks).${said}`;
  } else if (status === 403 && /upgrade/i.test(detail)) {
    message = `Calendly needs a different plan to ${action}.${said}`;
  } else if (status === 403) {
    message = `Calendly refused to ${action}: organisation-wide access needs a token of an organisation owner or admin; use --scope user (or ask an admin) otherwise.${said}`;
  } else if (status === 409) {
    message = `A webhook subscription for this URL already exists in Calendly; list it with \`calendly-zoom webhooks list\` and remove it first if its signing key is lost.${said}`;
  } else if (status === 429) {
    message = `Calendly rate-limited the request to ${action}; try again in a minute.${said}`;
  } else if (status >= 500) {
    message = `Calendly failed (HTTP ${status}) while trying to ${action}; try again later.${said}`;
  } else {
    message = `Calendly rejected the request to ${action} (HTTP ${status}).${said}`;
  }
  return new CalendlyApiError(status, title, message);
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

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strOrNull(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function lastSegment(uri: string): string {
  return uri.replace(/\/+$/, '').split('/').pop() ?? '';
}
