import { createDispatcher, type Dispatcher } from '../../../src/notify/dispatcher';
import type { RetryPolicy } from '../../../src/notify/retry-policy';
import type { SendOutcome } from '../../../src/notify/send-outcome';
import type { OutboxItem } from '../../../src/store/outbox';
import { captureLogs, type LogCapture } from '../../e2e/e2e-kit';
import { ManualTime, notice, noticeFor, settle, T0, TestOutbox } from './notify-test-kit';

const POLL_MS = 10_000;
const POLICY: RetryPolicy = { firstDelayMs: 1_000, maxDelayMs: 60_000, keepTryingMs: 3_600_000 };

let outbox: TestOutbox;
let time: ManualTime;
let logs: LogCapture;
let dispatchers: Dispatcher[];
/** Sends a test left hanging; settled before the dispatchers close. */
let held: ((outcome: SendOutcome) => void)[];

beforeEach(() => {
  outbox = new TestOutbox();
  time = new ManualTime();
  logs = captureLogs();
  dispatchers = [];
  held = [];
});

afterEach(async () => {
  for (const release of held) release({ type: 'delivered' });
  await Promise.all(dispatchers.map((d) => d.close()));
});

/** A sender whose every call waits until the test settles it. */
function heldSender() {
  const calls: { item: OutboxItem; settle(outcome: SendOutcome): void }[] = [];
  const send = (item: OutboxItem) =>
    new Promise<SendOutcome>((resolve) => {
      held.push(resolve);
      calls.push({ item, settle: resolve });
    });
  return { calls, send };
}

function start(
  send: (item: OutboxItem) => Promise<SendOutcome>,
  extra: {
    owner?: string;
    concurrency?: number;
    closeTimeoutMs?: number;
    random?: () => number;
  } = {},
): Dispatcher {
  const dispatcher = createDispatcher({
    outbox,
    send,
    log: logs.log,
    owner: extra.owner ?? 'dispatcher-a',
    now: time.clock,
    timer: time.timer,
    random: extra.random ?? (() => 0.5),
    pollMs: POLL_MS,
    policy: POLICY,
    concurrency: extra.concurrency,
    closeTimeoutMs: extra.closeTimeoutMs,
  });
  dispatchers.push(dispatcher);
  return dispatcher;
}

const delivered = async (): Promise<SendOutcome> => ({ type: 'delivered' });

describe('dispatcher', () => {
  it('sends what was queued before it started and records it delivered', async () => {
    const item = outbox.add(notice());
    const sent: string[] = [];
    start(async (i) => {
      sent.push(i.itemId);
      return { type: 'delivered' };
    });
    await settle();

    expect(sent).toEqual([item.itemId]);
    expect(outbox.byId(item.itemId)).toMatchObject({ status: 'delivered', deliveredAt: T0 });
    expect(logs.records()).toContainEqual(
      expect.objectContaining({ message: 'notification delivered', noticeId: item.notice.id }),
    );
  });

  it('looks at the outbox as soon as it is woken, without waiting for the poll', async () => {
    const dispatcher = start(delivered);
    await settle();
    const item = outbox.add(notice());

    dispatcher.wake();
    await settle();
    expect(outbox.byId(item.itemId).status).toBe('delivered');
  });

  it('finds items queued elsewhere (no wake) at the next poll', async () => {
    start(delivered);
    await settle();
    const item = outbox.add(notice());

    await time.advance(POLL_MS - 1);
    expect(outbox.byId(item.itemId).status).toBe('pending');
    await time.advance(1);
    expect(outbox.byId(item.itemId).status).toBe('delivered');
  });

  it("sends a booking's notices in order, the next only once the previous is done", async () => {
    const first = outbox.add(notice());
    const second = outbox.add(notice({ type: 'meeting.moved' }));
    const { calls, send } = heldSender();
    start(send);
    await settle();

    expect(calls.map((c) => c.item.itemId)).toEqual([first.itemId]);
    calls[0]?.settle({ type: 'delivered' });
    await settle();
    expect(calls.map((c) => c.item.itemId)).toEqual([first.itemId, second.itemId]);
  });

  it('sends different bookings side by side, never more than `concurrency` at once', async () => {
    for (let i = 0; i < 5; i += 1) outbox.add(noticeFor(`evt-${i}`));
    const { calls, send } = heldSender();
    start(send, { concurrency: 3 });
    await settle();

    expect(calls).toHaveLength(3);
    calls[0]?.settle({ type: 'delivered' });
    await settle();
    expect(calls).toHaveLength(4);
  });

  it('retries a failed send after a jittered, growing wait, before the next poll', async () => {
    const item = outbox.add(notice());
    const outcomes: SendOutcome[] = [
      { type: 'retry', error: 'HTTP 503', retryAfterMs: null },
      { type: 'retry', error: 'HTTP 503', retryAfterMs: null },
      { type: 'delivered' },
    ];
    let attempts = 0;
    start(async () => outcomes[attempts++] ?? { type: 'delivered' }, { random: () => 1 });
    await settle();

    // random() = 1: the whole wait, 1 s then 2 s (POLICY.firstDelayMs doubling).
    expect(outbox.byId(item.itemId)).toMatchObject({
      status: 'pending',
      nextAttemptAt: T0 + 1_000,
      lastError: 'HTTP 503',
    });
    await time.advance(1_000);
    expect(attempts).toBe(2);
    expect(outbox.byId(item.itemId).nextAttemptAt).toBe(T0 + 1_000 + 2_000);
    await time.advance(2_000);
    expect(attempts).toBe(3);
    expect(outbox.byId(item.itemId).status).toBe('delivered');
  });

  it('marks an item failed at once when another try cannot help', async () => {
    const item = outbox.add(notice());
    let attempts = 0;
    start(async () => {
      attempts += 1;
      return { type: 'give_up', error: 'HTTP 410 Gone' };
    });
    await settle();
    await time.advance(POLL_MS * 3);

    expect(attempts).toBe(1);
    expect(outbox.byId(item.itemId)).toMatchObject({
      status: 'failed',
      lastError: 'HTTP 410 Gone',
    });
    expect(logs.records()).toContainEqual(
      expect.objectContaining({ level: 'error', noticeId: item.notice.id }),
    );
  });

  it('gives up on the first failure once retries have gone on for keepTryingMs', async () => {
    const item = outbox.add(notice(), undefined, T0 - POLICY.keepTryingMs);
    start(async () => ({ type: 'retry', error: 'HTTP 500', retryAfterMs: null }));
    await settle();

    expect(outbox.byId(item.itemId).status).toBe('failed');
    expect(outbox.byId(item.itemId).lastError).toContain('HTTP 500');
  });

  it('counts a sender that throws as a failed attempt, to be retried', async () => {
    const item = outbox.add(notice());
    start(async () => {
      throw new Error('boom');
    });
    await settle();
    expect(outbox.byId(item.itemId)).toMatchObject({ status: 'pending', lastError: 'boom' });
  });

  it('never lets two dispatchers on one outbox send the same item at once', async () => {
    for (let i = 0; i < 6; i += 1) outbox.add(noticeFor(`evt-${i}`));
    const a = heldSender();
    const b = heldSender();
    start(a.send, { owner: 'a' });
    start(b.send, { owner: 'b' });
    await settle();

    const sent = [...a.calls, ...b.calls].map((c) => c.item.itemId);
    expect(sent).toHaveLength(6);
    expect(new Set(sent).size).toBe(6);
    for (const call of [...a.calls, ...b.calls]) call.settle({ type: 'delivered' });
    await settle();
    expect(outbox.items.every((i) => i.status === 'delivered')).toBe(true);
  });

  it('on close, lets sends in flight finish and be recorded, and claims nothing more', async () => {
    const item = outbox.add(notice());
    const { calls, send } = heldSender();
    const dispatcher = start(send);
    await settle();

    let closed = false;
    const closing = dispatcher.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    const claims = outbox.claims;
    outbox.add(noticeFor('evt-late'));
    calls[0]?.settle({ type: 'delivered' });
    await closing;

    expect(outbox.byId(item.itemId).status).toBe('delivered');
    await time.advance(POLL_MS * 2);
    expect(outbox.claims).toBe(claims);
    expect(calls).toHaveLength(1);
  });

  it('returns from close after closeTimeoutMs when a send hangs; the lease covers the rest', async () => {
    outbox.add(notice());
    const { send } = heldSender();
    const dispatcher = start(send, { closeTimeoutMs: 5_000 });
    await settle();

    let closed = false;
    const closing = dispatcher.close().then(() => (closed = true));
    await time.advance(4_999);
    expect(closed).toBe(false);
    await time.advance(1);
    await closing;
    expect(logs.records()).toContainEqual(expect.objectContaining({ level: 'warn', inFlight: 1 }));
  });

  it('outlives an unreachable outbox and tries again at the next poll', async () => {
    const item = outbox.add(notice());
    outbox.failing = new Error('store down');
    start(delivered);
    await settle();
    expect(logs.records()).toContainEqual(
      expect.objectContaining({ level: 'warn', detail: 'store down' }),
    );

    outbox.failing = null;
    await time.advance(POLL_MS);
    expect(outbox.byId(item.itemId).status).toBe('delivered');
  });

  it('sends an item again after its lease when its result could not be recorded', async () => {
    const item = outbox.add(notice());
    const sentIds: string[] = [];
    outbox.failComplete = new Error('store down');
    start(async (i) => {
      sentIds.push(i.notice.id);
      return { type: 'delivered' };
    });
    await settle();
    expect(outbox.byId(item.itemId).status).toBe('pending');

    outbox.failComplete = null;
    await time.advance(120_000);
    expect(sentIds).toEqual([item.notice.id, item.notice.id]);
    expect(outbox.byId(item.itemId).status).toBe('delivered');
  });
});
