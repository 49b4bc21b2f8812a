import type { Logger } from '../log';
import type { DeliveryResult, NotificationOutbox, OutboxItem } from '../store/outbox';
import { describeChannel } from './channels';
import { DEFAULT_RETRY_POLICY, deliveryResult, type RetryPolicy } from './retry-policy';
import { shortError, type SendOutcome } from './send-outcome';
import { startRealTimer, type StartTimer } from '../timer';

export interface DispatcherOptions {
  outbox: NotificationOutbox;
  /** Sends one item on its channel. Expected to resolve, whatever happens; a throw is a retry. */
  send(item: OutboxItem): Promise<SendOutcome>;
  log: Logger;
  /** Unique per dispatcher: the lease is what keeps two of them from sending one item. */
  owner: string;
  now?: () => number;
  random?: () => number;
  /** Longer than any send can take (webhook 15 s, SMTP's own timeouts), so no lease runs out mid-send. */
  leaseMs?: number;
  /** Sends at once; the port keeps one per booking and channel in flight, so order holds. */
  concurrency?: number;
  /**
   * How often the outbox is asked even when nothing woke the dispatcher: for items queued by
   * another process (reconcile, another receiver, one that crashed) and for retries.
   */
  pollMs?: number;
  policy?: RetryPolicy;
  /** How long close() waits for sends in flight before it returns anyway. */
  closeTimeoutMs?: number;
  timer?: StartTimer;
}

export interface Dispatcher {
  /** Something may have been queued: look now (calls made meanwhile are merged into one). */
  wake(): void;
  /**
   * Stops claiming; sends in flight finish and are recorded, within closeTimeoutMs. One cut off
   * stays leased, and after its lease it is sent again with the same webhook-id.
   */
  close(): Promise<void>;
}

export const DEFAULT_LEASE_MS = 120_000;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_POLL_MS = 10_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 16_000;

/**
 * Drains the notification outbox: claims due items under a lease, sends each on its channel and
 * records the result with the next attempt's time. Everything lives in the store, so a restart
 * picks up where the last run stopped.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { outbox, log, owner } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const timer = options.timer ?? startRealTimer;

  const inFlight = new Set<Promise<void>>();
  let cycle: Promise<void> | null = null;
  let wokenDuringCycle = false;
  let closed = false;
  let cancelTimer: () => void = () => undefined;
  /** The earliest retry this dispatcher scheduled itself: no need to wait for the poll. */
  let nextRetryAt = Infinity;

  function wake(): void {
    if (closed) return;
    if (cycle) {
      wokenDuringCycle = true;
      return;
    }
    cancelTimer();
    wokenDuringCycle = false;
    // Whatever was due by now is claimed by this cycle; later retries set it again.
    if (nextRetryAt <= now()) nextRetryAt = Infinity;
    cycle = claimAndSend().finally(() => {
      cycle = null;
      if (wokenDuringCycle) wake();
      else scheduleNextLook();
    });
  }

  async function claimAndSend(): Promise<void> {
    while (!closed) {
      const free = concurrency - inFlight.size;
      if (free <= 0) return;
      let items: OutboxItem[];
      try {
        items = await outbox.claimDue({ owner, now: now(), leaseMs, limit: free });
      } catch (error) {
        log.warn('cannot read the notification outbox; trying again later', {
          detail: shortError(error instanceof Error ? error.message : String(error)),
        });
        return;
      }
      // Claimed items are sent even when close() came meanwhile: close() waits for them.
      for (const item of items) start(item);
      if (items.length < free) return;
    }
  }

  function start(item: OutboxItem): void {
    const work = deliver(item).finally(() => {
      inFlight.delete(work);
      // A booking's next item is due only now that this one is done.
      wake();
    });
    inFlight.add(work);
  }

  async function deliver(item: OutboxItem): Promise<void> {
    let outcome: SendOutcome;
    try {
      outcome = await options.send(item);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      outcome = { type: 'retry', error: shortError(detail), retryAfterMs: null };
    }
    const at = now();
    const result = deliveryResult(outcome, item, at, policy, random);
    try {
      await outbox.complete({ itemId: item.itemId, owner, now: at, result });
    } catch (error) {
      log.warn('cannot record a notification attempt; it is sent again once its lease runs out', {
        ...fieldsOf(item),
        detail: shortError(error instanceof Error ? error.message : String(error)),
      });
      return;
    }
    if (result.type === 'retry') nextRetryAt = Math.min(nextRetryAt, result.at);
    report(item, result, at);
  }

  function report(item: OutboxItem, result: DeliveryResult, at: number): void {
    const fields = fieldsOf(item);
    if (result.type === 'delivered') {
      log.info('notification delivered', { ...fields, latencyMs: at - item.notice.occurredAt });
    } else if (result.type === 'retry') {
      log.warn('notification not delivered; will retry', {
        ...fields,
        error: result.error,
        nextAttemptAt: new Date(result.at).toISOString(),
      });
    } else {
      log.error('notification failed for good: `calendly-zoom notifications retry` resends it', {
        ...fields,
        error: result.error,
      });
    }
  }

  function scheduleNextLook(): void {
    if (closed) return;
    const delay = Math.min(pollMs, Math.max(0, nextRetryAt - now()));
    cancelTimer = timer(delay, wake);
  }

  wake();

  return {
    wake,
    async close() {
      if (closed) return;
      closed = true;
      cancelTimer();
      let cancelDeadline: () => void = () => undefined;
      const deadline = new Promise<boolean>((resolve) => {
        cancelDeadline = timer(options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, () =>
          resolve(true),
        );
      });
      const settled = (async () => {
        await cycle;
        await Promise.all(inFlight);
        return false;
      })();
      const gaveUp = await Promise.race([settled, deadline]);
      cancelDeadline();
      if (gaveUp) {
        log.warn('stopped with notifications still being sent; they are resent after their lease', {
          inFlight: inFlight.size,
        });
      }
    },
  };
}

function fieldsOf(item: OutboxItem): Record<string, string | number> {
  return {
    noticeId: item.notice.id,
    type: item.notice.type,
    channel: describeChannel(item.channel),
    eventUuid: item.notice.booking.eventUuid,
    attempts: item.attempts,
  };
}
