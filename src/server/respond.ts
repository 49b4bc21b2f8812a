import type { ServerResponse } from 'node:http';
import { InvalidPayloadError, WebhookVerificationError } from '../calendly/errors';
import type { IgnoredDelivery } from '../delivery';
import { CalendlyZoomError, ConfigError } from '../errors';
import { HttpTransportError } from '../http';
import type { LifecycleOutcome } from '../lifecycle-outcome';
import type { LogFields } from '../log';
import { StoreBusyError, StoreError } from '../store/errors';
import { ZoomApiError, ZoomAuthError, ZoomNetworkError, ZoomRateLimitError } from '../zoom/errors';
import {
  PayloadTooLargeError,
  ReceiverBusyError,
  RequestAbortedError,
  RequestTimeoutError,
  ShuttingDownError,
} from './errors';

/**
 * Every status the receiver answers is decided here, from an outcome or an error, so the contract
 * in DESIGN.md ("Receiver") maps to one function each way.
 */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
  /** Retry-After, Allow. */
  headers?: Record<string, string>;
  /** The request log line: its level and what it says about the result. */
  level: 'info' | 'warn' | 'error';
  fields: LogFields;
  /** Something an operator must act on: logged as an error line of its own. */
  alert?: string;
  /**
   * A refusal a flood can provoke at will: counted in the rate-limited refusal line instead of a
   * request line each, so an attacker cannot fill the disk with our logs.
   */
  quiet?: boolean;
  /** Sent instead of the JSON body: the status page's HTML. */
  document?: { contentType: string; text: string };
}

/** Calendly retries on its own schedule; Retry-After is the hint for it and for proxies. */
export const RETRY_AFTER_TRANSIENT_SECONDS = 30;
/** Another delivery holds the booking; it finishes within the Zoom deadline. */
export const RETRY_AFTER_IN_PROGRESS_SECONDS = 10;
/** Bodies in flight are read in well under a second: the receiver is free again soon. */
export const RETRY_AFTER_BUSY_SECONDS = 5;
/**
 * A daily limit resets up to a day away, but Calendly gives up after 24 h; hourly hints keep the
 * retries coming in case the limit is lifted sooner (another host, a plan change).
 */
export const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * 200 once the lifecycle step is durably done, duplicates and ignored events included; 503 while
 * another delivery is working on the booking. The body is built field by field: the meeting's
 * start_url (a host secret) and password never leave the receiver.
 */
export function replyToResult(result: LifecycleOutcome | IgnoredDelivery): Reply {
  if (!('eventUuid' in result)) {
    return {
      status: 200,
      body: { outcome: 'ignored', message: result.message, eventType: result.eventType },
      level: 'info',
      fields: { outcome: 'ignored', eventType: result.eventType },
    };
  }
  const fields: LogFields = {
    outcome: result.outcome,
    eventUuid: result.eventUuid,
    meetingId: result.meeting?.id,
  };
  const body = {
    outcome: result.outcome,
    message: result.message,
    eventUuid: result.eventUuid,
    meetingId: result.meeting?.id ?? null,
    joinUrl: result.meeting?.joinUrl ?? null,
  };
  if (result.retryLater) {
    return {
      status: 503,
      body,
      headers: retryAfter(
        result.retryAfterMs === null
          ? RETRY_AFTER_IN_PROGRESS_SECONDS
          : Math.ceil(result.retryAfterMs / 1000),
      ),
      level: 'warn',
      fields,
    };
  }
  return { status: 200, body, level: 'info', fields };
}

/** The status for a failure; see docs/receiver.md for why each is what it is. */
export function replyToError(error: unknown, nowMs: number): Reply {
  if (error instanceof WebhookVerificationError) {
    return {
      status: 401,
      body: { error: 'invalid_signature', reason: error.reason, message: error.message },
      level: 'warn',
      fields: { error: error.kind, reason: error.reason },
    };
  }
  if (error instanceof InvalidPayloadError) {
    // Field and rule only: the message is built from them, never from the value.
    return {
      status: 400,
      body: {
        error: 'invalid_payload',
        field: error.field,
        rule: error.rule,
        message: error.message,
      },
      level: 'warn',
      fields: { error: error.kind, field: error.field, rule: error.rule, detail: error.message },
    };
  }
  if (error instanceof PayloadTooLargeError) {
    return {
      status: 413,
      body: { error: 'payload_too_large', limitBytes: error.limitBytes, message: error.message },
      level: 'warn',
      fields: { error: error.kind, limitBytes: error.limitBytes },
    };
  }
  if (error instanceof RequestAbortedError) {
    return {
      status: 400,
      body: { error: 'request_aborted', message: error.message },
      level: 'warn',
      fields: { error: error.kind, detail: error.message },
    };
  }
  if (error instanceof ReceiverBusyError) {
    return {
      status: 503,
      body: { error: 'receiver_busy', message: error.message },
      headers: retryAfter(RETRY_AFTER_BUSY_SECONDS),
      level: 'warn',
      fields: { error: error.kind },
      quiet: true,
    };
  }
  if (error instanceof ShuttingDownError) {
    return {
      status: 503,
      body: { error: 'shutting_down', message: error.message },
      headers: retryAfter(RETRY_AFTER_TRANSIENT_SECONDS),
      level: 'warn',
      fields: { error: error.kind },
    };
  }
  if (error instanceof ZoomRateLimitError) return rateLimited(error, nowMs);
  if (isTransient(error)) {
    return {
      status: 503,
      body: { error: error.kind, message: error.message },
      // A lock another process holds is usually let go within seconds.
      headers: retryAfter(
        error instanceof StoreBusyError ? RETRY_AFTER_BUSY_SECONDS : RETRY_AFTER_TRANSIENT_SECONDS,
      ),
      level: 'warn',
      fields: { error: error.kind, detail: error.message },
    };
  }
  // Credentials, scopes, a host with no Zoom user: nothing a retry can fix, but a person can, and
  // Calendly keeps retrying for 24 h, so the delivery goes through once the setting is fixed.
  if (error instanceof ConfigError || error instanceof ZoomAuthError) {
    return {
      status: 500,
      body: { error: 'configuration', message: error.message },
      level: 'error',
      fields: { error: error.kind, detail: error.message },
      alert: 'Configuration problem: deliveries fail until it is fixed',
    };
  }
  // Zoom refused this one request (invalid field, host not allowed to schedule …). Still a 5xx:
  // a 2xx would drop the booking for good, while retries give an operator a day to fix it.
  if (error instanceof ZoomApiError) {
    return {
      status: 500,
      body: { error: 'zoom_refused', message: error.message },
      level: 'error',
      fields: {
        error: error.kind,
        zoomStatus: error.status,
        zoomCode: error.code,
        detail: error.message,
      },
    };
  }
  return {
    status: 500,
    body: { error: 'internal', message: 'Unexpected error; the receiver log has the details.' },
    level: 'error',
    fields: {
      error: error instanceof CalendlyZoomError ? error.kind : 'unexpected',
      detail: error instanceof Error ? error.message : String(error),
    },
    alert: 'Unexpected error while handling a request',
  };
}

export function notFound(): Reply {
  return {
    status: 404,
    body: { error: 'not_found', message: 'Nothing here. Calendly delivers to /webhooks/calendly.' },
    level: 'warn',
    fields: {},
  };
}

export function methodNotAllowed(allowed: readonly string[]): Reply {
  return {
    status: 405,
    body: { error: 'method_not_allowed', message: `Use ${allowed.join(' or ')}.` },
    headers: { Allow: allowed.join(', ') },
    level: 'warn',
    fields: {},
  };
}

/**
 * JSON out; does nothing once the client is gone or an answer was already written. With
 * `end: false` the whole answer is written but the response is left open, for the caller to end
 * once the rest of the request body is drained: ending it closes the connection, and closing with
 * unread bytes makes the kernel reset it, which can destroy the answer before the client reads it.
 */
export function sendReply(
  res: ServerResponse,
  reply: Reply,
  requestId: string,
  { end = true }: { end?: boolean } = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = reply.status >= 400 ? { ...reply.body, requestId } : reply.body;
  const { contentType, text } = reply.document ?? {
    contentType: 'application/json; charset=utf-8',
    text: JSON.stringify(body),
  };
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  const content = res.req.method === 'HEAD' ? undefined : text;
  if (end) res.end(content);
  else if (content !== undefined) res.write(content);
}

/** Zoom down or slow, the store unreachable, or our own time limit: Calendly should try again. */
function isTransient(error: unknown): error is CalendlyZoomError {
  return (
    error instanceof StoreError ||
    error instanceof ZoomNetworkError ||
    error instanceof HttpTransportError ||
    error instanceof RequestTimeoutError ||
    (error instanceof ZoomApiError && error.transient)
  );
}

function rateLimited(error: ZoomRateLimitError, nowMs: number): Reply {
  const fields: LogFields = { error: error.kind, daily: error.daily, detail: error.message };
  if (!error.daily) {
    const seconds =
      error.retryAfterMs === null
        ? RETRY_AFTER_TRANSIENT_SECONDS
        : Math.ceil(error.retryAfterMs / 1000);
    return {
      status: 503,
      body: { error: 'zoom_rate_limit', message: error.message },
      headers: retryAfter(seconds),
      level: 'warn',
      fields,
    };
  }
  const seconds =
    error.retryAt === null
      ? MAX_RETRY_AFTER_SECONDS
      : Math.ceil((error.retryAt.getTime() - nowMs) / 1000);
  return {
    status: 503,
    body: { error: 'zoom_daily_limit', message: error.message },
    headers: retryAfter(seconds),
    level: 'warn',
    fields: { ...fields, retryAt: error.retryAt?.toISOString() ?? null },
    alert: 'Zoom daily rate limit reached: meetings cannot be created or changed until it resets',
  };
}

function retryAfter(seconds: number): Record<string, string> {
  return { 'Retry-After': String(Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds))) };
}
