import { getHeader, type HttpResponse, type HttpTransportError } from '../http';

/** Zoom's error body: `{code, message, errors?: [{field, message}]}`. Every field may be absent. */
export interface ZoomErrorBody {
  code: number | null;
  message: string;
  fieldErrors: { field: string; message: string }[];
}

export type RateLimit =
  | {
      daily: false;
      /** From a numeric Retry-After; null when Zoom gave none (its QPS answers usually don't). */
      retryAfterMs: number | null;
      category: string | null;
    }
  | {
      daily: true;
      /** `user_meeting_writes`: 100 meeting creates/updates per user per day. */
      scope: 'account' | 'user_meeting_writes';
      retryAt: Date | null;
      category: string | null;
    };

/** A failed attempt, reduced to what the retry policy and the error messages need. */
export type ZoomFailure =
  | ({ kind: 'unauthorized'; status: number } & ZoomErrorBody)
  | ({ kind: 'missing_scope'; status: number; scopes: string[] } & ZoomErrorBody)
  | ({ kind: 'rate_limited'; status: number; limit: RateLimit } & ZoomErrorBody)
  | ({ kind: 'server'; status: number } & ZoomErrorBody)
  | ({ kind: 'client'; status: number } & ZoomErrorBody)
  | { kind: 'network'; timedOut: boolean; error: HttpTransportError }
  /** The token endpoint failed transiently: nothing was sent to the API yet. */
  | { kind: 'token_unavailable'; error: Error };

export function parseZoomErrorBody(text: string): ZoomErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Proxies and gateways answer HTML or nothing; the status still says what happened.
    return { code: null, message: '', fieldErrors: [] };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { code: null, message: '', fieldErrors: [] };
  }
  const body = parsed as Record<string, unknown>;
  const code = typeof body.code === 'number' ? body.code : Number(body.code);
  const errors = Array.isArray(body.errors) ? (body.errors as unknown[]) : [];
  return {
    code: Number.isFinite(code) ? code : null,
    message: typeof body.message === 'string' ? body.message : '',
    fieldErrors: errors.flatMap((item) => {
      if (typeof item !== 'object' || item === null) return [];
      const { field, message } = item as Record<string, unknown>;
      return typeof field === 'string'
        ? [{ field, message: typeof message === 'string' ? message : '' }]
        : [];
    }),
  };
}

/** Classifies a non-2xx answer. Matches on (status, code); message text only where Zoom gives no code. */
export function classifyResponse(response: HttpResponse, nowMs: number): ZoomFailure {
  const body = parseZoomErrorBody(response.body);
  const { status } = response;
  const scopes = missingScopes(body);
  if (scopes !== null) return { kind: 'missing_scope', status, scopes, ...body };
  if (status === 401) return { kind: 'unauthorized', status, ...body };
  if (status === 429) {
    return {
      kind: 'rate_limited',
      status,
      limit: classifyRateLimit(response, body, nowMs),
      ...body,
    };
  }
  if (status >= 500) return { kind: 'server', status, ...body };
  return { kind: 'client', status, ...body };
}

export function classifyTransportError(error: HttpTransportError): ZoomFailure {
  return { kind: 'network', timedOut: error.timedOut, error };
}

/**
 * 4711 is the granular-scope answer; 4700 is a catch-all whose "does not contain scopes" wording is
 * the only way to tell the classic-scope case apart. Returns null when the failure is not about scopes.
 */
function missingScopes(body: ZoomErrorBody): string[] | null {
  const aboutScopes = /scope/i.test(body.message);
  if (body.code !== 4711 && !(body.code === 4700 && aboutScopes)) return null;
  const list = /scopes?\s*:?\s*\[([^\]]*)\]/i.exec(body.message)?.[1] ?? '';
  return list
    .split(/[\s,]+/)
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
}

function classifyRateLimit(response: HttpResponse, body: ZoomErrorBody, nowMs: number): RateLimit {
  const category = getHeader(response.headers, 'x-ratelimit-category');
  const type = getHeader(response.headers, 'x-ratelimit-type') ?? '';
  const retryAfter = (getHeader(response.headers, 'retry-after') ?? '').trim();
  const retryAfterSeconds = /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) : null;
  const retryAtHeader = retryAfterSeconds === null ? parseDate(retryAfter) : null;

  // The per-user cap (100 meeting creates/updates a day) shows only in the body: no Retry-After,
  // no X-RateLimit-Type. Zoom's message says it resumes at 00:00 GMT.
  if (/meeting create\/update/i.test(body.message)) {
    return {
      daily: true,
      scope: 'user_meeting_writes',
      retryAt: retryAtHeader ?? nextUtcMidnight(nowMs),
      category,
    };
  }
  // A date in Retry-After is how Zoom announces an account's daily cap being used up.
  if (retryAtHeader !== null || /daily/i.test(type) || /daily/i.test(body.message)) {
    return { daily: true, scope: 'account', retryAt: retryAtHeader, category };
  }
  return {
    daily: false,
    retryAfterMs: retryAfterSeconds === null ? null : Math.round(retryAfterSeconds * 1000),
    category,
  };
}

function parseDate(text: string): Date | null {
  if (text === '') return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function nextUtcMidnight(nowMs: number): Date {
  const now = new Date(nowMs);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}
