import type { DeliveryResult, OutboxItem } from '../store/outbox';
import type { SendOutcome } from './send-outcome';

export interface RetryPolicy {
  /** The first retry waits about this long; each later one about twice the one before. */
  firstDelayMs: number;
  /** No wait is longer, whatever the attempt or the consumer's Retry-After. */
  maxDelayMs: number;
  /** How long after an item was queued retries go on; the first failure after that is final. */
  keepTryingMs: number;
}

const HOUR_MS = 3_600_000;

/** About 30 attempts over a day: 5 s, 10 s, 20 s … then hourly, for at least 24 h. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  firstDelayMs: 5_000,
  maxDelayMs: HOUR_MS,
  keepTryingMs: 24 * HOUR_MS,
};

/**
 * The wait before retry number `retry` (1 = the first). Exponential with "equal jitter": half of
 * the wait is fixed and half random, so the items of one outage spread out instead of hitting
 * the consumer together when it comes back, and none comes back sooner than half its wait.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | null,
  policy: RetryPolicy,
  random: () => number,
): number {
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.firstDelayMs * 2 ** Math.min(Math.max(retry, 1) - 1, 30),
  );
  const jittered = exponential / 2 + (random() * exponential) / 2;
  // A consumer that says when to come back is heard, within the same ceiling.
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** What the outbox records after one attempt on `item`. */
export function deliveryResult(
  outcome: SendOutcome,
  item: OutboxItem,
  now: number,
  policy: RetryPolicy,
  random: () => number,
): DeliveryResult {
  switch (outcome.type) {
    case 'delivered':
      return { type: 'delivered' };
    case 'give_up':
      return { type: 'failed', error: outcome.error };
    case 'retry': {
      // Measured from the item's creation, so a restart or a long outage does not extend it.
      if (now - item.createdAt >= policy.keepTryingMs) {
        const since = new Date(item.createdAt).toISOString();
        return { type: 'failed', error: `${outcome.error} (retried since ${since}; gave up)` };
      }
      // Whether `attempts` already counts this attempt depends on the store; either way the
      // waits grow with it.
      const wait = retryDelayMs(item.attempts, outcome.retryAfterMs, policy, random);
      return { type: 'retry', at: now + wait, error: outcome.error };
    }
  }
}
