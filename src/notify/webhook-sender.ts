import { Webhook } from 'standardwebhooks';
import type { Notice } from '../store/outbox';
import type { SendOutcome } from './send-outcome';
import { isNotificationType, webhookPayload } from './webhook-payload';

/** Standard Webhooks recommends 15 to 30 s; the low end keeps a stuck consumer from piling up. */
export const WEBHOOK_TIMEOUT_MS = 15_000;

export interface WebhookSenderOptions {
  /** `whsec_…`. */
  secret: string;
  includePasscode: boolean;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookAttempt {
  outcome: SendOutcome;
  /** The consumer's HTTP status; null when it never answered. */
  status: number | null;
}

export type WebhookSender = (url: string, notice: Notice) => Promise<WebhookAttempt>;

/**
 * The body and the Standard Webhooks headers for one attempt. `webhook-id` is the notice's id on
 * every attempt and channel (consumers dedupe on it); `webhook-timestamp` is the attempt's time,
 * which is what a consumer's replay window checks.
 */
export function signNotice(
  notice: Notice,
  options: { secret: string; includePasscode: boolean; now: number },
): SignedRequest {
  if (!isNotificationType(notice.type)) {
    throw new TypeError(`${notice.type} notices go by email only, never by webhook`);
  }
  const body = JSON.stringify(
    webhookPayload({ ...notice, type: notice.type }, { includePasscode: options.includePasscode }),
  );
  const timestamp = new Date(options.now);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'calendly-zoom-notifications',
      'webhook-id': notice.id,
      'webhook-timestamp': String(Math.floor(options.now / 1000)),
      'webhook-signature': new Webhook(options.secret).sign(notice.id, timestamp, body),
    },
  };
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return async (url, notice) => {
    let request: SignedRequest;
    try {
      request = signNotice(notice, { ...options, now: now() });
    } catch (error) {
      return { status: null, outcome: { type: 'give_up', error: messageOf(error) } };
    }
    const doFetch = options.fetch ?? globalThis.fetch;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // A redirect is a failure: the operator should configure the new URL instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The answer's body means nothing to us; dropping it frees the connection.
      await response.body?.cancel().catch(() => undefined);
      return {
        status: response.status,
        outcome: outcomeOfStatus(response.status, response.headers.get('retry-after'), now()),
      };
    } catch (error) {
      // By name, not instanceof: the error may come from another realm (jest, vm).
      const timedOut = stringField(error, 'name') === 'TimeoutError';
      return {
        status: null,
        outcome: {
          type: 'retry',
          error: timedOut ? `no answer within ${timeoutMs} ms` : `no answer: ${causeOf(error)}`,
          retryAfterMs: null,
        },
      };
    }
  };
}

/** Standard Webhooks' status handling: 2xx delivered, 410 Gone stops, everything else retries. */
export function outcomeOfStatus(
  status: number,
  retryAfter: string | null,
  now: number,
): SendOutcome {
  if (status >= 200 && status < 300) return { type: 'delivered' };
  if (status === 410) {
    return { type: 'give_up', error: 'HTTP 410 Gone: the consumer wants no more notifications' };
  }
  return { type: 'retry', error: `HTTP ${status}`, retryAfterMs: parseRetryAfter(retryAfter, now) };
}

/** `Retry-After` in seconds or as an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is the code of its
 * `cause`. Messages are left out: some repeat the URL, whose path may be the consumer's secret.
 */
function causeOf(error: unknown): string {
  const cause =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : null;
  return stringField(cause, 'code') ?? stringField(error, 'name') ?? 'unknown error';
}

function stringField(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'string' ? found : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
