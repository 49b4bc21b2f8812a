import type {
  Channel,
  DeliveryResult,
  NotificationOutbox,
  Notice,
  OutboxItem,
  OutboxStatus,
} from '../../../src/store/outbox';

export const T0 = Date.parse('2026-03-01T09:00:00Z');

let sequence = 0;

/** A notice about a booking that starts 2026-03-10 14:00 UTC; any field can be replaced. */
export function notice(overrides: Partial<Notice> = {}): Notice {
  sequence += 1;
  const eventUuid = overrides.booking?.eventUuid ?? 'evt-0001';
  return {
    id: `ntc_${sequence}`,
    type: 'meeting.created',
    occurredAt: T0,
    booking: {
      eventUri: `https://api.calendly.com/scheduled_events/${eventUuid}`,
      eventUuid,
      inviteeUri: `https://api.calendly.com/scheduled_events/${eventUuid}/invitees/inv-0001`,
      eventName: '30 Minute Consultation',
      hostEmail: 'host@example.com',
      invitee: { name: 'Jane Doe', email: 'jane@example.com', timezone: 'Europe/Berlin' },
      startTime: '2026-03-10T14:00:00.000Z',
      endTime: '2026-03-10T14:30:00.000Z',
    },
    meeting: {
      id: '85012345678',
      joinUrl: 'https://zoom.us/j/85012345678?pwd=abc',
      password: 'secret-passcode-123',
      host: 'host@example.com',
    },
    previous: null,
    reason: null,
    attention: null,
    sequence: 0,
    ...overrides,
  };
}

/** A notice about another booking (its own order). */
export function noticeFor(eventUuid: string, overrides: Partial<Notice> = {}): Notice {
  const base = notice();
  return notice({ ...overrides, booking: { ...base.booking, eventUuid } });
}

/**
 * The port's contract in a few lines, for driving the dispatcher through cases the real stores
 * cannot be put into directly (an item queued at a chosen time, a store that fails on demand).
 */
export class TestOutbox implements NotificationOutbox {
  readonly items: OutboxItem[] = [];
  /** Set to make the next calls fail as an unreachable store would. */
  failing: Error | null = null;
  failComplete: Error | null = null;
  claims = 0;

  add(n: Notice, channel: Channel = 'webhook:http://127.0.0.1:1/hook', createdAt = T0): OutboxItem {
    const item: OutboxItem = {
      itemId: `${n.id}:${channel}`,
      channel,
      notice: n,
      status: 'pending',
      attempts: 0,
      createdAt,
      nextAttemptAt: createdAt,
      lastError: null,
      deliveredAt: null,
      lease: null,
    };
    this.items.push(item);
    return item;
  }

  byId(itemId: string): OutboxItem {
    const item = this.items.find((i) => i.itemId === itemId);
    if (!item) throw new Error(`no item ${itemId}`);
    return item;
  }

  async claimDue(input: { owner: string; now: number; leaseMs: number; limit: number }) {
    this.claims += 1;
    if (this.failing) throw this.failing;
    const heads = new Map<string, OutboxItem>();
    for (const item of this.items) {
      const key = `${item.notice.booking.eventUuid}|${item.channel}`;
      if (item.status === 'pending' && !heads.has(key)) heads.set(key, item);
    }
    const due = [...heads.values()]
      .filter((i) => i.nextAttemptAt <= input.now && (!i.lease || i.lease.expiresAt <= input.now))
      .slice(0, input.limit);
    for (const item of due) {
      item.lease = { owner: input.owner, expiresAt: input.now + input.leaseMs };
      item.attempts += 1;
    }
    return structuredClone(due);
  }

  async complete(input: { itemId: string; owner: string; now: number; result: DeliveryResult }) {
    if (this.failComplete) throw this.failComplete;
    const item = this.byId(input.itemId);
    if (item.lease?.owner !== input.owner) return;
    item.lease = null;
    const { result } = input;
    if (result.type === 'delivered') {
      item.status = 'delivered';
      item.deliveredAt = input.now;
    } else if (result.type === 'retry') {
      item.nextAttemptAt = result.at;
      item.lastError = result.error;
    } else {
      item.status = 'failed';
      item.lastError = result.error;
    }
  }

  async list(input: { status?: OutboxStatus; limit?: number }) {
    return structuredClone(
      this.items
        .filter((i) => !input.status || i.status === input.status)
        .reverse()
        .slice(0, input.limit),
    );
  }

  async counts() {
    const counts: Record<OutboxStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const item of this.items) counts[item.status] += 1;
    return counts;
  }

  async retry(input: { itemIds: string[] } | { allFailed: true }, now: number) {
    const chosen = this.items.filter(
      (i) => i.status === 'failed' && ('allFailed' in input || input.itemIds.includes(i.itemId)),
    );
    for (const item of chosen) {
      item.status = 'pending';
      item.nextAttemptAt = now;
    }
    return chosen.length;
  }
}

/** Lets every pending promise chain (claim → send → complete → wake) run to its end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** A clock and timers that move only when the test says so. */
export class ManualTime {
  now = T0;
  private timers: { at: number; fire: () => void }[] = [];

  readonly clock = (): number => this.now;

  readonly timer = (ms: number, fire: () => void): (() => void) => {
    const entry = { at: this.now + ms, fire };
    this.timers.push(entry);
    return () => {
      this.timers = this.timers.filter((t) => t !== entry);
    };
  };

  /** The earliest timer still set, as a delay from now; null when none. */
  nextTimerIn(): number | null {
    if (this.timers.length === 0) return null;
    return Math.min(...this.timers.map((t) => t.at)) - this.now;
  }

  async advance(ms: number): Promise<void> {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.now);
      if (due.length === 0) break;
      this.timers = this.timers.filter((t) => t.at > this.now);
      for (const t of due) t.fire();
      await settle();
    }
    await settle();
  }
}
