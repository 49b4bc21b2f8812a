// The Zoom side of the scenario: an access token fetched where a call needs one (1 operation; a
// cached token would cost more data store operations than the fetch it saves), and calls whose
// every answer is routed: success, "try again later" (401 token refused, 429, 5xx, no answer) and
// "refused for good" (any other status). Nothing is ever parked, so the scenario never stalls.

import type { MakeModule } from './blueprint-types';
import type { BuildContext } from './build-context';
import { answer } from './answers';
import { and, condition, not, or, type Conditions } from './conditions';
import { formula, out } from './formula';
import { httpRequest } from './modules';
import { either, oneOf, type Branch } from './routers';

export const ZOOM_API_URL = 'https://api.zoom.us/v2';
export const ZOOM_OAUTH_URL = 'https://zoom.us/oauth/token';
/** Written into the token requests when no `--zoom-account-id` was given. */
export const PASTE_ZOOM_ACCOUNT_ID = 'PASTE-YOUR-ZOOM-ACCOUNT-ID';

const TOKEN_MODULE = 'Zoom: get an access token';

export function statusIs(call: number, ...statuses: number[]): Conditions {
  return or(
    ...statuses.map((s) => condition(formula(out(call, 'statusCode')), 'number:equal', String(s))),
  );
}

function statusFrom(call: number, low: number, high: number): Conditions {
  const status = formula(out(call, 'statusCode'));
  return and(
    condition(status, 'number:greaterorequal', String(low)),
    condition(status, 'number:lessorequal', String(high)),
  );
}

/** 401 (token refused), 429 (rate limit, per second or per day) and 5xx: not this delivery's fault. */
function retryLater(call: number): Conditions {
  return or(statusIs(call, 401, 429), statusFrom(call, 500, 599));
}

/** Zoom's own words about a refusal, for answers and the record (never a token or start URL). */
export function zoomReason(call: number): string {
  return `${out(call, 'statusCode')} + ": " + ifempty(${out(call, 'data.message')}; ${out(call, 'data.reason')})`;
}

/** A new access token, then `then(token)`. Every answer but 200 ends the delivery with a 5xx. */
export function withZoomToken(
  ctx: BuildContext,
  purpose: string,
  then: (token: string) => MakeModule[],
): MakeModule[] {
  const fetch = httpRequest(ctx.ids, `${TOKEN_MODULE} (to ${purpose})`, {
    method: 'post',
    url: ZOOM_OAUTH_URL,
    query: [
      ['grant_type', 'account_credentials'],
      ['account_id', ctx.options.zoomAccountId ?? PASTE_ZOOM_ACCOUNT_ID],
    ],
    basicAuth: { keychain: ctx.options.makeIds.zoomKeychain },
  });
  fetch.onerror = unreachable(ctx, fetch.id);
  const status = out(fetch.id, 'statusCode');
  // 429 and 5xx: Zoom is busy, try later (503). Any other refusal is a configuration error — the
  // Account ID or the Client ID and Secret — which no retry fixes (500, with Zoom's reason).
  return [
    fetch,
    ...either(
      ctx.ids,
      `Zoom token (to ${purpose})`,
      { name: 'Token issued', conditions: statusIs(fetch.id, 200) },
      () => then(out(fetch.id, 'data.access_token')),
      () => [
        answer(ctx, 'No Zoom token: 503 if Zoom is busy, 500 if it refused the credentials', {
          status: { formula: `if(${status} = 429; 503; if(${status} >= 500; 503; 500))` },
          outcome: {
            formula: `if(${status} = 429; "zoom_unavailable"; if(${status} >= 500; "zoom_unavailable"; "zoom_credentials"))`,
          },
          reason: `${status} + ": " + ifempty(${out(fetch.id, 'data.reason')}; ifempty(${out(fetch.id, 'data.error')}; ${out(fetch.id, 'data.message')}))`,
        }),
      ],
    ),
  ];
}

export interface ZoomCall {
  /** What the call does, for module names: "create the meeting". */
  what: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Path under https://api.zoom.us/v2 (formulas allowed). */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  jsonBody?: string;
  /** Mutually exclusive outcomes by status, built for the call's module id. */
  outcomes: (
    call: number,
  ) => ReadonlyArray<Omit<Branch, 'modules'> & { modules: () => MakeModule[] }>;
  /** Every other status. */
  otherwise: { name: string; modules: (call: number) => MakeModule[] };
  /** No answer at all: the connection failed or timed out. */
  unreachable: (call: number) => MakeModule[];
}

export function callZoom(ctx: BuildContext, token: string, call: ZoomCall): MakeModule[] {
  const request = httpRequest(ctx.ids, `Zoom: ${call.what}`, {
    method: call.method,
    url: `${ZOOM_API_URL}${call.path}`,
    headers: [['Authorization', `Bearer ${formula(token)}`]],
    ...(call.query === undefined ? {} : { query: call.query }),
    ...(call.jsonBody === undefined ? {} : { jsonBody: call.jsonBody }),
  });
  request.onerror = call.unreachable(request.id);
  const outcomes = call.outcomes(request.id);
  return [
    request,
    ...oneOf(ctx.ids, `Zoom's answer: ${call.what}`, [
      ...outcomes,
      {
        name: call.otherwise.name,
        conditions: not(or(...outcomes.map((o) => o.conditions))),
        modules: () => call.otherwise.modules(request.id),
      },
    ]),
  ];
}

/** 401, 429, 5xx: nothing this delivery can do now; Calendly delivers again. */
export function tryLater(ctx: BuildContext, call: number): Branch {
  return {
    name: '401, 429, 5xx: try later',
    conditions: retryLater(call),
    modules: () => zoomBusy(ctx, call),
  };
}

/** A call that got no answer: 503, so Calendly delivers again. */
export function unreachable(ctx: BuildContext, call: number): MakeModule[] {
  return [
    answer(ctx, 'Zoom did not answer, deliver again', {
      status: '503',
      outcome: 'zoom_unreachable',
      reason: out(call, 'error.message'),
    }),
  ];
}

/** Zoom said "later" (token refused, rate limit, server error): 503 with Zoom's words. */
export function zoomBusy(ctx: BuildContext, call: number): MakeModule[] {
  return [
    answer(ctx, 'Zoom said try later, deliver again', {
      status: '503',
      outcome: 'zoom_busy',
      reason: zoomReason(call),
    }),
  ];
}
