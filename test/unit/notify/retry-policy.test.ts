import {
  DEFAULT_RETRY_POLICY,
  deliveryResult,
  retryDelayMs,
} from '../../../src/notify/retry-policy';
import type { OutboxItem } from '../../../src/store/outbox';
import { notice, T0, TestOutbox } from './notify-test-kit';

const HOUR = 3_600_000;
const policy = DEFAULT_RETRY_POLICY;

describe('retryDelayMs', () => {
  it.each([
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [10, 2_560_000],
    [11, HOUR],
    [40, HOUR],
  ])('retry %i waits at most %i ms, and at least half of it', (retry, full) => {
    expect(retryDelayMs(retry, null, policy, () => 1)).toBe(full);
    expect(retryDelayMs(retry, null, policy, () => 0)).toBe(full / 2);
  });

  it("waits for a consumer's Retry-After when it is longer, but never past the ceiling", () => {
    expect(retryDelayMs(1, 60_000, policy, () => 0)).toBe(60_000);
    expect(retryDelayMs(1, 1_000, policy, () => 0)).toBe(2_500);
    expect(retryDelayMs(1, 10 * HOUR, policy, () => 0)).toBe(HOUR);
  });

  it('spreads the retries of one outage over the jitter range', () => {
    const waits = new Set(
      [0, 0.25, 0.5, 0.75, 1].map((r) => retryDelayMs(4, null, policy, () => r)),
    );
    expect(waits.size).toBe(5);
  });
});

describe('deliveryResult', () => {
  const item = (createdAt: number, attempts = 1): OutboxItem => ({
    ...new TestOutbox().add(notice(), 'email', createdAt),
    attempts,
  });
  const half = () => 0.5;

  it('keeps retrying for 24 h from when the item was queued, then marks it failed', () => {
    const failure = { type: 'retry', error: 'HTTP 500', retryAfterMs: null } as const;
    const lastChance = deliveryResult(failure, item(T0 - 24 * HOUR + 1), T0, policy, half);
    expect(lastChance).toMatchObject({ type: 'retry', error: 'HTTP 500' });

    const tooLate = deliveryResult(failure, item(T0 - 24 * HOUR), T0, policy, half);
    expect(tooLate).toEqual({
      type: 'failed',
      error: `HTTP 500 (retried since ${new Date(T0 - 24 * HOUR).toISOString()}; gave up)`,
    });
  });

  it('over a day of failures, tries about 30 times and never waits more than an hour', () => {
    let now = T0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const result = deliveryResult(
        { type: 'retry', error: 'HTTP 503', retryAfterMs: null },
        item(T0, attempts),
        now,
        policy,
        Math.random,
      );
      if (result.type !== 'retry') break;
      expect(result.at - now).toBeLessThanOrEqual(HOUR);
      now = result.at;
    }
    expect(now - T0).toBeGreaterThanOrEqual(24 * HOUR);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(60);
  });

  it('records a give-up as failed at once, and a delivery as delivered', () => {
    expect(
      deliveryResult({ type: 'give_up', error: 'HTTP 410' }, item(T0), T0, policy, half),
    ).toEqual({
      type: 'failed',
      error: 'HTTP 410',
    });
    expect(deliveryResult({ type: 'delivered' }, item(T0), T0, policy, half)).toEqual({
      type: 'delivered',
    });
  });
});
