import { getHeader, type HttpResponse } from '../http';
import { ZoomApiError, ZoomAuthError, ZoomNetworkError, ZoomRateLimitError } from './errors';
import type { ZoomFailure } from './failure';

/** Where to fix app settings; every configuration message points there. */
const APP_PAGE = 'marketplace.zoom.us → Manage → your Server-to-Server OAuth app';

/**
 * Zoom's own wording, quoted. Cut short, and any URL dropped: Zoom has never been seen to put one
 * in an error message, but if it did it could be a start_url (a host secret).
 */
export function zoomSaid(message: string): string {
  const clean = message
    .replace(/https?:\/\/\S+/g, '<url>')
    .trim()
    .replace(/\.$/, '');
  if (clean === '') return '';
  return ` (Zoom said: "${clean.length > 200 ? `${clean.slice(0, 200)}…` : clean}")`;
}

/** Token endpoint body: `{reason, error}` (observed), sometimes `{code, message}`. */
function parseTokenErrorBody(text: string): { error: string; reason: string; code: number | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: '', reason: '', code: null };
  }
  if (typeof parsed !== 'object' || parsed === null) return { error: '', reason: '', code: null };
  const body = parsed as Record<string, unknown>;
  const str = (value: unknown): string => (typeof value === 'string' ? value : '');
  const code = Number(body.code);
  return {
    error: str(body.error),
    reason: str(body.reason) || str(body.message),
    code: body.code !== undefined && Number.isFinite(code) ? code : null,
  };
}

/**
 * Turns a failed token request into an error naming the setting a person has to fix. The caller
 * must not retry any of the configuration errors: the same credentials get the same answer.
 */
export function tokenEndpointError(response: HttpResponse): Error {
  const { status } = response;
  const body = parseTokenErrorBody(response.body);
  const said = zoomSaid(body.reason || body.error);
  const tag = ` [Zoom token endpoint ${status}${body.error ? `, ${body.error}` : ''}]`;
  const cause = new ZoomApiError(status, body.code, `Token request failed${tag}`);

  if (status === 429) {
    const seconds = Number(getHeader(response.headers, 'retry-after'));
    return new ZoomRateLimitError(
      `Zoom's token endpoint is rate limiting this app${said}; try again shortly.${tag}`,
      {
        daily: false,
        retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : null,
        retryAt: null,
      },
      { cause },
    );
  }
  if (status >= 500) {
    return new ZoomApiError(
      status,
      body.code,
      `Zoom's token endpoint failed on its side${said}; try again shortly.${tag}`,
    );
  }
  if (status === 404 || status === 405) {
    return new ZoomApiError(
      status,
      body.code,
      `The Zoom OAuth URL does not answer like Zoom's token endpoint; it should be https://zoom.us/oauth/token.${tag}`,
    );
  }
  if (status < 400) {
    return new ZoomApiError(
      status,
      body.code,
      `Zoom's token endpoint answered without an access token; check that the Zoom OAuth URL is https://zoom.us/oauth/token.${tag}`,
    );
  }
  // Code 4717 is documented; its body is not, so the wording is checked as well.
  if (body.code === 4717 || /disabled|deactivated/i.test(body.reason)) {
    return appDisabled(said, tag, cause);
  }
  if (body.error === 'invalid_client' || body.code === 4702 || body.code === 4704) {
    return new ZoomAuthError(
      `Zoom rejected the Client ID or Client Secret${said}. Copy both again from ${APP_PAGE} → App Credentials; a regenerated secret replaces the old one.${tag}`,
      'client_credentials',
      { cause },
    );
  }
  if (body.error === 'unsupported_grant_type' || body.code === 4705) {
    return new ZoomAuthError(
      `Zoom does not accept the account_credentials grant for this Client ID${said}. The Client ID and Client Secret must come from a Server-to-Server OAuth app, not a General (user-authorised) app.${tag}`,
      'client_credentials',
      { cause },
    );
  }
  // Client id and secret were accepted (they have their own answer above), so what is left is
  // the account. Zoom's exact body for a wrong Account ID is not documented.
  return new ZoomAuthError(
    `Zoom refused to issue a token for this Account ID${said}. Use the Account ID shown on ${APP_PAGE} → App Credentials (the account that owns the app), then re-check the Client ID and Client Secret.${tag}`,
    'account_id',
    { cause },
  );
}

function appDisabled(said: string, tag: string, cause: ZoomApiError): ZoomAuthError {
  return new ZoomAuthError(
    `The Zoom Server-to-Server OAuth app is deactivated${said}. Activate it: ${APP_PAGE} → Activation.${tag}`,
    'app_disabled',
    { cause },
  );
}

export interface FailureContext {
  /** What was being done, completing "to …": "create a meeting for a@example.com". */
  action: string;
  meetingId?: string;
  host?: string;
  /** Why no further attempt was made, for transient failures: "gave up after 4 attempts". */
  stoppedBecause?: string;
  nowMs: number;
  /** The wait we would have used next, for a per-second limit that came without Retry-After. */
  nextDelayMs?: number;
}

/** The typed error for a failure the policy will not (or no longer) retry. */
export function failureToError(failure: ZoomFailure, context: FailureContext): Error {
  const stopped = context.stoppedBecause ? `; ${context.stoppedBecause}` : '';
  switch (failure.kind) {
    case 'token_unavailable':
      return failure.error;
    case 'network':
      return new ZoomNetworkError(
        `Could not reach Zoom to ${context.action} (${failure.error.message})${stopped}.`,
        failure.timedOut,
        { cause: failure.error },
      );
    default:
      break;
  }

  const said = zoomSaid(failure.message);
  const tag = ` [Zoom ${failure.status}${failure.code === null ? '' : `, code ${failure.code}`}]`;
  const cause = new ZoomApiError(failure.status, failure.code, `Zoom answered${said}${tag}`);

  switch (failure.kind) {
    case 'unauthorized':
      // Zoom's wording for an app switched off after the token was issued is not documented;
      // when it says so, the fix is the app's activation, not the credentials.
      if (/\b(disabled|deactivated)\b/i.test(failure.message)) return appDisabled(said, tag, cause);
      return new ZoomAuthError(
        `Zoom rejected the access token while trying to ${context.action}, even a newly issued one${said}. Check that the app is still activated (${APP_PAGE}) and that the Account ID is the account that owns it.${tag}`,
        'token',
        { cause },
      );
    case 'missing_scope': {
      const scopes = failure.scopes.join(', ');
      const several = failure.scopes.length > 1;
      const what =
        failure.scopes.length === 0 ? 'a scope' : `the scope${several ? 's' : ''} ${scopes}`;
      const it = several ? 'them' : 'it';
      return new ZoomAuthError(
        `The Zoom app lacks ${what} needed to ${context.action}${failure.scopes.length === 0 ? said : ''}. Add ${it} under ${APP_PAGE} → Scopes; tokens issued after that carry ${it}.${tag}`,
        'scopes',
        { cause },
      );
    }
    case 'rate_limited':
      return rateLimitError(failure.limit, context, stopped, tag, cause);
    case 'server':
      return new ZoomApiError(
        failure.status,
        failure.code,
        `Zoom failed on its side while trying to ${context.action}${said}${stopped}.${tag}`,
      );
    case 'client':
      return new ZoomApiError(
        failure.status,
        failure.code,
        `${clientErrorSentence(failure, context, said)}${tag}`,
      );
  }
}

function rateLimitError(
  limit: Extract<ZoomFailure, { kind: 'rate_limited' }>['limit'],
  context: FailureContext,
  stopped: string,
  tag: string,
  cause: ZoomApiError,
): ZoomRateLimitError {
  if (!limit.daily) {
    const retryAfterMs = limit.retryAfterMs ?? context.nextDelayMs ?? null;
    const wait =
      retryAfterMs === null ? '' : ` Try again in about ${Math.ceil(retryAfterMs / 1000)} s.`;
    return new ZoomRateLimitError(
      `Zoom's per-second rate limit kept refusing the request to ${context.action}${stopped}.${wait}${tag}`,
      { daily: false, retryAfterMs, retryAt: null },
      { cause },
    );
  }
  const { retryAt } = limit;
  const info = {
    daily: true,
    retryAt,
    retryAfterMs: retryAt === null ? null : Math.max(0, retryAt.getTime() - context.nowMs),
  };
  const when = retryAt === null ? 'after its daily reset' : `after ${retryAt.toISOString()}`;
  if (limit.scope === 'user_meeting_writes') {
    return new ZoomRateLimitError(
      `Zoom's limit of 100 meeting creates/updates per day for one host is used up${
        context.host ? ` for ${context.host}` : ''
      }; Zoom accepts more ${when}. Use another host or try again then.${tag}`,
      info,
      { cause },
    );
  }
  const category = limit.category ? ` (${limit.category} APIs)` : '';
  return new ZoomRateLimitError(
    `The Zoom account has used up its daily request limit${category}, so Zoom refused to ${context.action}; it accepts more ${when}.${tag}`,
    info,
    { cause },
  );
}

/** One actionable sentence per documented code; Zoom's own wording is quoted alongside. */
function clientErrorSentence(
  failure: Extract<ZoomFailure, { kind: 'client' }>,
  context: FailureContext,
  said: string,
): string {
  const meeting = context.meetingId ? `Zoom meeting ${context.meetingId}` : 'The Zoom meeting';
  switch (failure.code) {
    case 1001:
      return `Zoom user not found while trying to ${context.action}${said}. The host must be a user of the Zoom account that owns the app: check the email, or configure a default Zoom host.`;
    case 1010:
      return `The Zoom user belongs to a different Zoom account than the app${said}. Use a user of the account that owns the app.`;
    case 300: {
      const fields = failure.fieldErrors
        .map((e) => `${e.field}${e.message ? ` (${e.message.replace(/\.$/, '')})` : ''}`)
        .join(', ');
      return fields === ''
        ? `Zoom rejected the request to ${context.action} as invalid${said}.`
        : `Zoom rejected the request to ${context.action}: invalid ${fields}.`;
    }
    case 3001:
      return `${meeting} does not exist (deleted or expired)${said}.`;
    case 3000:
      return `Zoom could not access ${meeting.replace(/^The/, 'the')}${said}; check the meeting id and that the meeting belongs to this account.`;
    case 3002:
      return `${meeting} is in progress, and Zoom does not delete a meeting until it ends${said}.`;
    case 3003:
      return `${meeting} belongs to another host, so Zoom refused to ${context.action}${said}.`;
    case 3007:
      return `${meeting} has already ended, so Zoom refused to ${context.action}${said}.`;
    case 3161:
      return `The host's Zoom user may not host or schedule meetings${said}. Allow it in Zoom's admin settings or use another host.`;
    case 200:
      return `That needs a paid Zoom plan${said}. Remove the paid-only setting or give the host a licence.`;
    default:
      return `Zoom refused to ${context.action}${said}.`;
  }
}
