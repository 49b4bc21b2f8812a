import { HttpTransportError, type HttpClient, type HttpResponse } from '../http';
import type { Logger, LogFields } from '../log';
import { ZoomApiError, ZoomDeadlineError, ZoomNetworkError } from './errors';
import { failureToError } from './error-messages';
import {
  classifyResponse,
  classifyTransportError,
  parseZoomErrorBody,
  type ZoomFailure,
} from './failure';
import {
  createMeetingBody,
  meetingIdToString,
  meetingPatchBody,
  parseZoomJson,
  toZoomMeeting,
  toZoomUser,
} from './mapping';
import { delayMs, shouldRetry } from './retry-policy';
import type { ZoomAccessToken, ZoomTokenProvider } from './token';
import type { ZoomMeeting, ZoomMeetingSettings, ZoomMeetings, ZoomUser } from './types';

export const DEFAULT_ZOOM_API_URL = 'https://api.zoom.us/v2';

/** The client logs retries and audit facts only; fields never carry tokens, secrets or start_url. */
export type ZoomLogger = Pick<Logger, 'info' | 'warn'>;

/** One page of a Zoom list, and the token for the next one (null after the last page). */
export interface ZoomPage<T> {
  items: T[];
  nextPageToken: string | null;
}

export interface PageRequest {
  pageToken?: string;
  pageSize?: number;
}

export interface ZoomClient extends ZoomMeetings {
  /** Every user of the account (all pages), active ones unless told otherwise. */
  listUsers(options?: { status?: 'active' | 'inactive' | 'pending' }): Promise<ZoomUser[]>;
  /** One page of the account's active users, for pickers that load more on demand. */
  listUsersPage(page: PageRequest): Promise<ZoomPage<ZoomUser>>;
  /** One page of a host's upcoming meetings (list items carry no start_url or passcode). */
  listUpcomingMeetingsPage(host: string, page: PageRequest): Promise<ZoomPage<ZoomMeeting>>;
}

export interface ZoomClientOptions {
  http: HttpClient;
  tokens: ZoomTokenProvider;
  apiUrl?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): jitter for back-off. */
  random?: () => number;
  log?: ZoomLogger;
  /** Budget for one public method, retries and waits included (Zapier gives a step 30 s). */
  deadlineMs?: number;
  /**
   * An absolute end (ms since epoch, on `now`'s clock) shared with the caller's other work: each
   * method ends by the earlier of this and `deadlineMs` after it starts.
   */
  deadlineAt?: number;
  /** Cap for one HTTP attempt, further cut to what is left of the deadline. */
  requestTimeoutMs?: number;
  /** Merged over the guide's defaults and under each call's own settings. */
  defaultSettings?: ZoomMeetingSettings;
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Already percent-encoded. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Completes "to …" in messages: "delete Zoom meeting 123". */
  action: string;
  meetingId?: string;
  host?: string;
  /** Non-2xx statuses the caller turns into a result itself (404 on delete). */
  accept?: (status: number) => boolean;
}

const MIN_ATTEMPT_TIMEOUT_MS = 1000;
const PAGE_SIZE = '300';
const NO_LOG: ZoomLogger = { info: () => undefined, warn: () => undefined };

export function createZoomClient(options: ZoomClientOptions): ZoomClient {
  const { http, tokens } = options;
  const apiUrl = (options.apiUrl ?? DEFAULT_ZOOM_API_URL).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const random = options.random ?? Math.random;
  const log = options.log ?? NO_LOG;
  const deadlineMs = options.deadlineMs ?? 25_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;

  /** Sends `call`, applying the retry policy, until it succeeds or the policy says stop. */
  async function send(call: Call, deadline: number): Promise<HttpResponse> {
    const idempotent = call.method !== 'POST';
    let attempts = 0;
    let retries = 0;
    let tokenRefreshed = false;
    let last: ZoomFailure | null = null;
    for (;;) {
      attempts += 1;
      let token: ZoomAccessToken | null = null;
      let failure: ZoomFailure;
      const acquired = await acquireToken();
      if ('failure' in acquired) {
        failure = acquired.failure;
      } else {
        token = acquired;
        // No request may outlive the deadline: a create sent after it could land after the
        // booking's lease has passed to another worker, whose marker search it would escape.
        if (deadline - now() < MIN_ATTEMPT_TIMEOUT_MS) throw outOfTime(call, attempts - 1, last);
        const outcome = await attempt(call, token, deadline);
        if ('status' in outcome) return outcome;
        failure = outcome.failure;
      }

      last = failure;
      const decision = shouldRetry(failure, {
        idempotent,
        attempts,
        tokenRefreshed,
        tokenFromCache: token?.fromCache ?? false,
      });
      if (decision === 'refresh_token' && token !== null) {
        log.info('Zoom rejected the access token; fetching a new one and retrying once', {
          action: call.action,
          ...failureFields(failure),
        });
        await tokens.invalidate(token.accessToken);
        tokenRefreshed = true;
        continue;
      }
      const context = contextOf(call);
      if (decision === 'retry') {
        retries += 1;
        const wait = delayMs(retries, retryAfterMs(failure), random);
        if (now() + wait > deadline) {
          throw failureToError(failure, {
            ...context,
            nowMs: now(),
            nextDelayMs: wait,
            stoppedBecause: gaveUpAfter(attempts),
          });
        }
        log.warn('Zoom request failed; retrying', {
          action: call.action,
          ...failureFields(failure),
          attempt: attempts,
          delayMs: wait,
        });
        await sleep(wait);
        continue;
      }
      throw failureToError(failure, {
        ...context,
        nowMs: now(),
        nextDelayMs: delayMs(retries + 1, retryAfterMs(failure), random),
        stoppedBecause: whyNotRetried(failure, idempotent, attempts),
      });
    }
  }

  /**
   * The deadline ran out before the next request went out. After a refusal that waits or a
   * failure that ends the call anyway, the last failure says most; after a 401 or a missing scope
   * whose new token was never tried, blaming the credentials would be wrong.
   */
  function outOfTime(call: Call, sent: number, last: ZoomFailure | null): Error {
    const stoppedBecause = gaveUpAfter(sent);
    if (
      last &&
      (last.kind === 'rate_limited' || last.kind === 'server' || last.kind === 'network')
    ) {
      return failureToError(last, {
        ...contextOf(call),
        nowMs: now(),
        nextDelayMs: 0,
        stoppedBecause,
      });
    }
    const cause = last ? failureToError(last, { action: call.action, nowMs: now() }) : undefined;
    return new ZoomDeadlineError(
      `Ran out of time to ${call.action}: the deadline passed before ${sent === 0 ? 'the request' : 'another attempt'} could be sent, so nothing more was sent (${stoppedBecause}). Try again later.`,
      { cause },
    );
  }

  /** What an error says about the call it ended. */
  function contextOf(call: Call): { action: string; meetingId?: string; host?: string } {
    return { action: call.action, meetingId: call.meetingId, host: call.host };
  }

  /** Why a call ended when its deadline, not its failure, stopped it. */
  function gaveUpAfter(attempts: number): string {
    return `gave up after ${attempts} attempt(s) to stay within the ${deadlineMs / 1000} s deadline`;
  }

  async function acquireToken(): Promise<ZoomAccessToken | { failure: ZoomFailure }> {
    try {
      return await tokens.getToken();
    } catch (error) {
      if (!isTransientTokenError(error)) throw error;
      return { failure: { kind: 'token_unavailable', error } };
    }
  }

  async function attempt(
    call: Call,
    token: ZoomAccessToken,
    deadline: number,
  ): Promise<HttpResponse | { failure: ZoomFailure }> {
    const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    try {
      const response = await http({
        method: call.method,
        url: `${apiUrl}${call.path}${query}`,
        headers: {
          authorization: `Bearer ${token.accessToken}`,
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        timeoutMs: Math.max(MIN_ATTEMPT_TIMEOUT_MS, Math.min(requestTimeoutMs, deadline - now())),
      });
      const ok = response.status >= 200 && response.status < 300;
      if (ok || call.accept?.(response.status)) return response;
      return { failure: classifyResponse(response, now()) };
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      return { failure: classifyTransportError(error) };
    }
  }

  /** Parses a 2xx body; a body we cannot read is Zoom's fault, reported as such. */
  function parse(response: HttpResponse, call: Call): unknown {
    try {
      return parseZoomJson(response.body);
    } catch {
      // Not the SyntaxError itself: V8 quotes part of the body in it, and the body may hold a
      // start_url.
      throw new ZoomApiError(
        response.status,
        null,
        `Zoom answered ${response.status} to the request to ${call.action} with a body that is not JSON.`,
        { cause: new Error('response body is not valid JSON') },
      );
    }
  }

  function map<T>(json: unknown, status: number, call: Call, mapper: (json: unknown) => T): T {
    try {
      return mapper(json);
    } catch (error) {
      const missing = error instanceof Error ? error.message : 'fields';
      throw new ZoomApiError(
        status,
        null,
        `Zoom answered ${status} to the request to ${call.action} without the expected ${missing}.`,
        { cause: error },
      );
    }
  }

  function read<T>(response: HttpResponse, call: Call, mapper: (json: unknown) => T): T {
    return map(parse(response, call), response.status, call, mapper);
  }

  /** Yields each page of a Zoom list, following next_page_token until Zoom returns "". */
  async function* pages(call: Call, deadline: number): AsyncGenerator<Record<string, unknown>> {
    const seen = new Set<string>();
    let pageToken = '';
    for (;;) {
      const paged = {
        ...call,
        query: {
          ...call.query,
          page_size: PAGE_SIZE,
          ...(pageToken === '' ? {} : { next_page_token: pageToken }),
        },
      };
      const page = read(await send(paged, deadline), paged, asRecord);
      yield page;
      pageToken = typeof page.next_page_token === 'string' ? page.next_page_token : '';
      if (pageToken === '') return;
      if (seen.has(pageToken)) {
        throw new ZoomApiError(
          200,
          null,
          `Zoom returned the same next_page_token twice while trying to ${call.action}.`,
        );
      }
      seen.add(pageToken);
    }
  }

  function meetingCall(id: string, method: Call['method'], verb: string): Call {
    return {
      method,
      path: `/meetings/${encodeURIComponent(id)}`,
      action: `${verb} Zoom meeting ${id}`,
      meetingId: id,
    };
  }

  /** The full record (list items lack start_url and password); null if it vanished meanwhile. */
  async function fetchMeetingIfExists(id: string, deadline: number): Promise<ZoomMeeting | null> {
    const call = { ...meetingCall(id, 'GET', 'read'), accept: (status: number) => status === 404 };
    const response = await send(call, deadline);
    return response.status === 404 ? null : read(response, call, toZoomMeeting);
  }

  /** The account's users with `status`, one page at a time. */
  function usersCall(status: string): Call {
    return { method: 'GET', path: '/users', query: { status }, action: 'list Zoom users' };
  }

  function upcomingMeetingsCall(host: string): Call {
    return {
      method: 'GET',
      path: `/users/${encodeURIComponent(host)}/meetings`,
      query: { type: 'upcoming' },
      action: `list the upcoming meetings of ${host}`,
      host,
    };
  }

  /** A method's deadline: `deadlineMs` from now, or the caller's earlier end (`until`). */
  const startDeadline = (until = Infinity): number =>
    Math.min(now() + deadlineMs, options.deadlineAt ?? Infinity, until);

  /** One page of a list call: its items and the next page's token. */
  async function onePage<T>(
    call: Call,
    key: string,
    mapper: (item: unknown) => T,
    page: PageRequest,
  ): Promise<ZoomPage<T>> {
    const paged: Call = {
      ...call,
      query: {
        ...call.query,
        page_size: String(page.pageSize ?? PAGE_SIZE),
        ...(page.pageToken ? { next_page_token: page.pageToken } : {}),
      },
    };
    const body = read(await send(paged, startDeadline()), paged, asRecord);
    const next = typeof body.next_page_token === 'string' ? body.next_page_token : '';
    return {
      items: map(body, 200, paged, (json) => itemsOf(json, key, mapper)),
      nextPageToken: next === '' ? null : next,
    };
  }

  return {
    async createMeeting(host, params, createOptions) {
      const call: Call = {
        method: 'POST',
        path: `/users/${encodeURIComponent(host)}/meetings`,
        body: createMeetingBody(params, options.defaultSettings),
        action: `create a meeting for ${host}`,
        host,
      };
      return read(await send(call, startDeadline(createOptions?.deadlineAt)), call, toZoomMeeting);
    },

    async getMeeting(id) {
      const call = meetingCall(id, 'GET', 'read');
      return read(await send(call, startDeadline()), call, toZoomMeeting);
    },

    async updateMeeting(id, patch) {
      const body = meetingPatchBody(patch);
      // Nothing to change: a PATCH would only spend the host's 100 daily creates/updates.
      if (Object.keys(body).length === 0) return;
      await send({ ...meetingCall(id, 'PATCH', 'update'), body }, startDeadline());
    },

    async deleteMeeting(id) {
      const call: Call = {
        ...meetingCall(id, 'DELETE', 'delete'),
        // Calendly already tells the invitee; Zoom's own e-mails would be a second notice.
        query: { schedule_for_reminder: 'false', cancel_meeting_reminder: 'false' },
        // Any 404 from this endpoint means there is nothing left to delete (3001: gone or
        // expired). A retried DELETE whose first attempt went through lands here too.
        accept: (status) => status === 404,
      };
      const response = await send(call, startDeadline());
      if (response.status !== 404) return { status: 'deleted' };
      const { code } = parseZoomErrorBody(response.body);
      log.info('Zoom meeting was already gone; counting the delete as done', {
        meetingId: id,
        status: 404,
        code,
      });
      return { status: 'already_gone' };
    },

    async getUser(emailOrId) {
      const call: Call = {
        method: 'GET',
        path: `/users/${encodeURIComponent(emailOrId)}`,
        action: `look up Zoom user ${emailOrId}`,
        host: emailOrId,
      };
      return read(await send(call, startDeadline()), call, toZoomUser);
    },

    async listUsers(listOptions = {}) {
      const call = usersCall(listOptions.status ?? 'active');
      const users: ZoomUser[] = [];
      for await (const page of pages(call, startDeadline())) {
        users.push(...map(page, 200, call, (json) => itemsOf(json, 'users', toZoomUser)));
      }
      return users;
    },

    listUsersPage(page) {
      return onePage(usersCall('active'), 'users', toZoomUser, page);
    },

    listUpcomingMeetingsPage(host, page) {
      return onePage(upcomingMeetingsCall(host), 'meetings', toZoomMeeting, page);
    },

    async findMeetingByMarker(host, marker) {
      const deadline = startDeadline();
      const call = upcomingMeetingsCall(host);
      for await (const page of pages(call, deadline)) {
        const items = Array.isArray(page.meetings) ? (page.meetings as unknown[]) : [];
        for (const item of items) {
          const found = await matchMarker(item, marker, call, deadline);
          if (found !== null) return found;
        }
      }
      return null;
    },
  };

  /**
   * A list item whose agenda shows the marker is fetched in full; one without an agenda field is
   * fetched to look at its agenda. An agenda without the marker rules the meeting out.
   */
  async function matchMarker(
    item: unknown,
    marker: string,
    listCall: Call,
    deadline: number,
  ): Promise<ZoomMeeting | null> {
    if (typeof item !== 'object' || item === null) return null;
    const { id, agenda, start_url: startUrl } = item as Record<string, unknown>;
    if (typeof agenda === 'string' && !agenda.includes(marker)) return null;
    if (typeof agenda === 'string' && typeof startUrl === 'string') {
      return map(item, 200, listCall, toZoomMeeting);
    }
    const meetingId = meetingIdToString(id);
    if (meetingId === null) return null;
    const full = await fetchMeetingIfExists(meetingId, deadline);
    return full !== null && full.agenda !== null && full.agenda.includes(marker) ? full : null;
  }
}

/** Transient token-endpoint failures: nothing reached the API, so the call may try again. */
function isTransientTokenError(error: unknown): error is Error {
  return error instanceof ZoomNetworkError || (error instanceof ZoomApiError && error.transient);
}

function retryAfterMs(failure: ZoomFailure): number | null {
  return failure.kind === 'rate_limited' && !failure.limit.daily
    ? failure.limit.retryAfterMs
    : null;
}

function whyNotRetried(
  failure: ZoomFailure,
  idempotent: boolean,
  attempts: number,
): string | undefined {
  const transient = failure.kind === 'server' || failure.kind === 'network';
  if (transient && !idempotent) {
    return 'not retried, because Zoom may have created the meeting anyway';
  }
  if (transient || failure.kind === 'rate_limited' || failure.kind === 'token_unavailable') {
    return `gave up after ${attempts} attempt(s)`;
  }
  return undefined;
}

/** What a log line may say about a failure: status and code, never bodies or headers. */
function failureFields(failure: ZoomFailure): LogFields {
  switch (failure.kind) {
    case 'network':
      return { failure: 'network', timedOut: failure.timedOut };
    case 'token_unavailable':
      return { failure: 'token_unavailable', error: failure.error.name };
    default:
      return { failure: failure.kind, status: failure.status, code: failure.code };
  }
}

function asRecord(json: unknown): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('list page');
  return json as Record<string, unknown>;
}

function itemsOf<T>(page: unknown, key: string, map: (item: unknown) => T): T[] {
  const items = (page as Record<string, unknown>)[key];
  return Array.isArray(items) ? items.map(map) : [];
}
