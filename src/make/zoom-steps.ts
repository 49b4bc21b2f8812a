// The Zoom side of the scenario: a token reused from the data store for 55 minutes, and a call
// policy that routes on Zoom's status code: 401 → fresh token, retry once; 429 → short pause,
// retry with a Break handler that parks the run for Make to retry; anything else → the caller's
// failure steps. Make has no subroutines, so each call site gets its own copy of these modules.

import type { MakeCondition, MakeFilter, MakeModule } from './blueprint-types';
import { SETTINGS, setting, type BuildContext } from './build-context';
import { TOKEN_MODULE, TOKEN_RECORD_KEY, tokenData } from './data-structures';
import { formula, out } from './formula';
import {
  breakAndRetry,
  datastoreAdd,
  datastoreExists,
  datastoreGet,
  filtered,
  httpRequest,
  router,
  sleep,
} from './modules';

export const ZOOM_API_URL = 'https://api.zoom.us/v2';
export const ZOOM_OAUTH_URL = 'https://zoom.us/oauth/token';

/** Zoom tokens live 60 minutes; reusing one for 55 leaves a margin for the call that uses it. */
export const TOKEN_REUSE_MINUTES = 55;
/** Zoom's per-second 429 carries no Retry-After; a pause of a second or two clears it. */
const RATE_LIMIT_PAUSE_SECONDS = 2;
/** Break handler: Make retries the parked run this often, this many minutes apart. */
export const BREAK_RETRIES = 3;
export const BREAK_INTERVAL_MINUTES = 15;

/**
 * Gets a Zoom access token, then runs `then` with a formula for it. Make runs a router's routes
 * one after another, in order: the first two refresh the stored token when it is missing or 55+
 * minutes old, and the third reads whatever is stored by then. Only one token fetch per hour.
 */
export function withZoomToken(
  ctx: BuildContext,
  then: (token: string) => MakeModule[],
): MakeModule[] {
  const saved = datastoreExists(ctx.ids, `${TOKEN_MODULE}: is a token saved?`, TOKEN_RECORD_KEY);
  const refresh = router(ctx.ids, 'Zoom token: reuse for 55 min, else fetch one', () => {
    const none = filtered(fetchToken(ctx, 'none saved yet').modules, {
      name: 'No token saved yet',
      conditions: [[isBoolean(saved.id, 'exist', false)]],
    });
    const stored = datastoreGet(ctx.ids, `${TOKEN_MODULE}: read the saved token`, TOKEN_RECORD_KEY);
    const stale = filtered(fetchToken(ctx, 'saved one is 55+ min old').modules, {
      name: 'Saved token is 55+ minutes old',
      conditions: [
        [
          {
            a: formula('timestamp'),
            o: 'number:greaterorequal',
            b: formula(`ifempty(${out(stored.id, 'reuse_until')}; 0)`),
          },
        ],
      ],
    });
    const oldOne = filtered([stored, ...stale], {
      name: 'A token is saved',
      conditions: [[isBoolean(saved.id, 'exist', true)]],
    });
    const current = datastoreGet(
      ctx.ids,
      `${TOKEN_MODULE}: read the current token`,
      TOKEN_RECORD_KEY,
    );
    return [none, oldOne, [current, ...then(out(current.id, 'access_token'))]];
  });
  return [saved, refresh];
}

export interface ZoomCall {
  /** What the call does, for designer names: "create the meeting". */
  what: string;
  method: 'post' | 'patch' | 'delete';
  /** Path under https://api.zoom.us/v2 (formulas allowed). */
  path: string;
  jsonBody?: string;
  /** Statuses that mean done, and what follows; `then` gets the id of the module that succeeded. */
  success: { statuses: readonly string[]; then: (callId: number) => MakeModule[] };
  /** Optional statuses handled apart from success and failure (PATCH: 404 = meeting gone). */
  gone?: { statuses: readonly string[]; then: (callId: number) => MakeModule[] };
  /** Any other status. */
  failure: (callId: number) => MakeModule[];
}

/** One Zoom API call with the status policy described at the top of this file. */
export function callZoom(ctx: BuildContext, token: string, call: ZoomCall): MakeModule[] {
  const first = zoomRequest(ctx, call, `Zoom: ${call.what}`, token, false);
  const handled = [...call.success.statuses, '401', '429', ...(call.gone?.statuses ?? [])];
  const answer = router(ctx.ids, `Zoom's answer: ${call.what}`, () => {
    const routes = [
      filtered(
        call.success.then(first.id),
        statusIn(first.id, call.success.statuses, 'Zoom: done'),
      ),
      filtered(afterNewToken(ctx, call), statusIn(first.id, ['401'], '401: token rejected')),
      filtered(afterPause(ctx, call, token), statusIn(first.id, ['429'], '429: rate limited')),
    ];
    if (call.gone !== undefined) {
      routes.push(
        filtered(
          call.gone.then(first.id),
          statusIn(first.id, call.gone.statuses, 'Zoom: not found'),
        ),
      );
    }
    routes.push(
      filtered(call.failure(first.id), {
        name: 'Zoom: any other status',
        conditions: [handled.map((s) => ({ a: statusCode(first.id), o: 'text:notequal', b: s }))],
      }),
    );
    return routes;
  });
  return [first, answer];
}

/** 401 {"code":124}: the token was revoked or expired early. Fetch a new one, retry once. */
function afterNewToken(ctx: BuildContext, call: ZoomCall): MakeModule[] {
  const fresh = fetchToken(ctx, 'Zoom rejected the saved one');
  const retry = zoomRequest(
    ctx,
    call,
    `Zoom: ${call.what} (retry with new token)`,
    fresh.token,
    true,
  );
  return [...fresh.modules, retry, ...call.success.then(retry.id)];
}

/** 429: pause, retry once inline; if Zoom still refuses, the Break handler parks the run. */
function afterPause(ctx: BuildContext, call: ZoomCall, token: string): MakeModule[] {
  const pause = sleep(
    ctx.ids,
    `Wait ${RATE_LIMIT_PAUSE_SECONDS} s (Zoom rate limit)`,
    RATE_LIMIT_PAUSE_SECONDS,
  );
  const retry = zoomRequest(ctx, call, `Zoom: ${call.what} (retry after 429)`, token, true);
  return [pause, retry, ...call.success.then(retry.id)];
}

/**
 * The HTTP module for a Zoom call. First attempts report every status for routing; retries fail
 * on any non-2xx so their Break handler takes over (Make retries the parked run later).
 */
function zoomRequest(
  ctx: BuildContext,
  call: ZoomCall,
  name: string,
  token: string,
  isRetry: boolean,
): MakeModule {
  const request = httpRequest(ctx.ids, name, {
    method: call.method,
    url: `${ZOOM_API_URL}${call.path}`,
    headers: [['Authorization', `Bearer ${formula(token)}`]],
    ...(call.jsonBody === undefined ? {} : { jsonBody: call.jsonBody }),
    stopOnHttpError: isRetry,
  });
  if (isRetry) {
    request.onerror = [
      breakAndRetry(
        ctx.ids,
        `Park and retry ${BREAK_RETRIES}× every ${BREAK_INTERVAL_MINUTES} min`,
        BREAK_RETRIES,
        BREAK_INTERVAL_MINUTES,
      ),
    ];
  }
  return request;
}

/** POST to Zoom's token endpoint with Basic auth (client id:secret keychain), then save it. */
function fetchToken(ctx: BuildContext, why: string): { modules: MakeModule[]; token: string } {
  const fetch = httpRequest(ctx.ids, `Zoom: fetch an access token (${why})`, {
    method: 'post',
    url: `${ZOOM_OAUTH_URL}?grant_type=account_credentials&account_id=${formula(setting(ctx, SETTINGS.zoomAccountId))}`,
    basicAuth: true,
    // A token endpoint error is a configuration error (wrong account id or credentials): the run
    // should stop with Zoom's message, never retry.
    stopOnHttpError: true,
  });
  const token = out(fetch.id, 'data.access_token');
  const save = datastoreAdd(
    ctx.ids,
    `${TOKEN_MODULE}: save the token`,
    TOKEN_RECORD_KEY,
    tokenData({
      access_token: formula(token),
      fetched_at: formula('now'),
      reuse_until: formula(`formatDate(addMinutes(now; ${TOKEN_REUSE_MINUTES}); "X")`),
    }),
  );
  return { modules: [fetch, save], token };
}

function statusCode(callId: number): string {
  return formula(out(callId, 'statusCode'));
}

function statusIn(callId: number, statuses: readonly string[], name: string): MakeFilter {
  return {
    name: `${name} (${statuses.join(' or ')})`,
    conditions: statuses.map((s) => [{ a: statusCode(callId), o: 'text:equal', b: s }]),
  };
}

export function isBoolean(moduleId: number, path: string, value: boolean): MakeCondition {
  return { a: formula(out(moduleId, path)), o: 'boolean:equal', b: String(value) };
}
