import {
  completed,
  DELIVERED_RETENTION_MS,
  FAILED_RETENTION_MS,
  outboxItems,
  queueOf,
  type Channel,
  type DeliveryResult,
  type NotificationOutbox,
  type OutboxItem,
  type OutboxStatus,
} from './outbox';
import type { NoticeDraft } from './transitions';

/**
 * The outbox in process memory, beside the memory booking store: items in the order they were
 * written (a Map keeps insertion order), so "earlier item of the same booking and channel" is
 * simply one met before in iteration.
 */
export class MemoryOutbox implements NotificationOutbox {
  private readonly items = new Map<string, OutboxItem>();

  constructor(private readonly channels: readonly Channel[]) {}

  /** Called inside the booking store's transition, so it lands with the change it reports. */
  write(drafts: readonly NoticeDraft[]): void {
    for (const item of outboxItems(drafts, this.channels)) this.items.set(item.itemId, item);
  }

  async claimDue(input: {
    owner: string;
    now: number;
    leaseMs: number;
    limit: number;
  }): Promise<OutboxItem[]> {
    this.prune(input.now);
    const blocked = new Set<string>();
    const claimed: OutboxItem[] = [];
    for (const item of this.items.values()) {
      if (claimed.length >= input.limit) break;
      if (item.status !== 'pending') continue;
      const queue = queueOf(item);
      if (blocked.has(queue)) continue;
      blocked.add(queue);
      const leased = item.lease !== null && item.lease.expiresAt > input.now;
      if (leased || item.nextAttemptAt > input.now) continue;
      const taken: OutboxItem = {
        ...item,
        attempts: item.attempts + 1,
        lease: { owner: input.owner, expiresAt: input.now + input.leaseMs },
      };
      this.items.set(item.itemId, taken);
      claimed.push(structuredClone(taken));
    }
    return claimed;
  }

  async complete(input: {
    itemId: string;
    owner: string;
    now: number;
    result: DeliveryResult;
  }): Promise<void> {
    const item = this.items.get(input.itemId);
    if (!item || item.status !== 'pending' || item.lease?.owner !== input.owner) return;
    this.items.set(item.itemId, completed(item, input.now, input.result));
  }

  async list(input: { status?: OutboxStatus; limit?: number; now: number }): Promise<OutboxItem[]> {
    this.prune(input.now);
    const matching = [...this.items.values()]
      .filter((item) => input.status === undefined || item.status === input.status)
      .reverse();
    return structuredClone(matching.slice(0, input.limit ?? matching.length));
  }

  async counts(now: number): Promise<Record<OutboxStatus, number>> {
    this.prune(now);
    const counts = { pending: 0, delivered: 0, failed: 0 };
    for (const item of this.items.values()) counts[item.status] += 1;
    return counts;
  }

  async retry(input: { itemIds: string[] } | { allFailed: true }, now: number): Promise<number> {
    let retried = 0;
    for (const item of this.items.values()) {
      const wanted = 'allFailed' in input || input.itemIds.includes(item.itemId);
      if (!wanted || item.status !== 'failed') continue;
      this.items.set(item.itemId, { ...item, status: 'pending', attempts: 0, nextAttemptAt: now });
      retried += 1;
    }
    return retried;
  }

  private prune(now: number): void {
    for (const [id, item] of this.items) {
      const gone =
        (item.status === 'delivered' && (item.deliveredAt ?? 0) + DELIVERED_RETENTION_MS <= now) ||
        (item.status === 'failed' && item.nextAttemptAt + FAILED_RETENTION_MS <= now);
      if (gone) this.items.delete(id);
    }
  }
}
