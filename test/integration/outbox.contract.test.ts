import type {
  BeginCancelInput,
  BookingStore,
  ClaimCreateInput,
  FinishCancelInput,
} from '../../src/store/booking-store';
import type { OutboxItem } from '../../src/store/outbox';
import { closeStoreFactories, storeFactories } from '../support/store-factories';
import {
  bookingContextOf,
  cancelInput,
  claimInput,
  EVENT,
  eventUri,
  inviteeUri,
  LEASE,
  storedMeeting,
  T0,
} from '../support/store-inputs';

// Every adapter writes the same notices, in the same step as the change they report, and hands
// them to dispatchers the same way: in order per booking and channel, one holder at a time.

const HOOK = 'webhook:https://consumer.example/hooks';
const CHANNELS = [HOOK, 'email'];
const inv = inviteeUri;
const context = bookingContextOf;
const meeting = storedMeeting;

/** Invitee `invitee`'s own create (worker w-<invitee>), described by its delivery. */
function claim(invitee = 'a', o: Partial<ClaimCreateInput> = {}): ClaimCreateInput {
  const event = o.eventUuid ?? EVENT;
  return claimInput({
    eventUuid: event,
    eventUri: eventUri(event),
    inviteeUri: inv(invitee, event),
    owner: `w-${invitee}`,
    context: context(invitee, event),
    ...o,
  });
}

/** Invitee `invitee`'s own cancellation (worker c-<invitee>), described by its delivery. */
function cancel(invitee = 'a', o: Partial<BeginCancelInput> = {}): BeginCancelInput {
  const event = o.eventUuid ?? EVENT;
  return cancelInput({
    eventUuid: event,
    eventUri: eventUri(event),
    inviteeUri: inv(invitee, event),
    owner: `c-${invitee}`,
    context: context(invitee, event),
    ...o,
  });
}

afterAll(() => closeStoreFactories());

describe.each(storeFactories())('notification outbox contract: $name', ({ create }) => {
  let store: BookingStore;
  beforeEach(async () => {
    store = await create({ notify: { channels: CHANNELS } });
  });
  afterEach(async () => {
    await store.close();
  });

  async function activeBooking(invitee = 'a', o: Partial<ClaimCreateInput> = {}): Promise<void> {
    const c = claim(invitee, o);
    await store.claimCreate(c);
    await store.commitCreate({
      eventUuid: c.eventUuid,
      owner: c.owner,
      now: c.now + 10,
      meeting: meeting(o.eventUuid === 'ev-2' ? '85746065499' : undefined),
      context: c.context,
    });
  }

  async function finish(o: Partial<FinishCancelInput> = {}) {
    return store.finishCancel({
      eventUuid: 'ev-1',
      owner: 'c-a',
      now: T0 + 2000,
      zoomResult: 'deleted',
      context: context('a'),
      ...o,
    });
  }

  /** Every item, oldest first, as `type channel`. */
  async function written(): Promise<string[]> {
    const items = await store.outbox.list({ now: T0 + 10_000 });
    return items.reverse().map((i) => `${i.notice.type} ${i.channel}`);
  }

  async function items(): Promise<OutboxItem[]> {
    return (await store.outbox.list({ now: T0 + 10_000 })).reverse();
  }

  it('writes meeting.created to every channel when the meeting is committed', async () => {
    await activeBooking();
    expect(await written()).toEqual([`meeting.created ${HOOK}`, 'meeting.created email']);
    const [item] = await items();
    expect(item?.notice).toMatchObject({
      type: 'meeting.created',
      sequence: 0,
      booking: context('a'),
      meeting: { id: '85746065432', joinUrl: 'https://zoom.us/j/85746065432?pwd=abc' },
    });
    expect(item?.notice.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(item?.status).toBe('pending');
  });

  it('never puts the host start URL into a notice', async () => {
    await activeBooking();
    expect(JSON.stringify(await items())).not.toContain('zak=host-secret');
  });

  it('gives the notice one id across channels and each item its own', async () => {
    await activeBooking();
    const [webhook, email] = await items();
    expect(webhook?.notice.id).toBe(email?.notice.id);
    expect(webhook?.itemId).not.toBe(email?.itemId);
  });

  it('writes nothing when no channel is configured', async () => {
    const quiet = await create();
    await quiet.claimCreate(claim());
    await quiet.commitCreate({ eventUuid: 'ev-1', owner: 'w-a', now: T0 + 1, meeting: meeting() });
    expect(await quiet.outbox.list({ now: T0 + 2 })).toEqual([]);
    await quiet.close();
  });

  it('writes nothing for a claim, nor for a duplicate create of a booking already told', async () => {
    await store.claimCreate(claim());
    expect(await written()).toEqual([]);
    await activeBooking();
    await store.claimCreate(claim('a', { owner: 'w-again', now: T0 + 50 }));
    expect(await written()).toHaveLength(2);
  });

  it('announces the deletion of an announced meeting, one SEQUENCE later', async () => {
    await activeBooking();
    await store.beginCancel(cancel());
    await finish();
    const deleted = (await items()).filter((i) => i.notice.type === 'meeting.deleted');
    expect(deleted.map((i) => i.channel)).toEqual([HOOK, 'email']);
    expect(deleted[0]?.notice).toMatchObject({ reason: 'cancelled', sequence: 1 });
  });

  it('announces nothing for a meeting deleted before anyone was told of it', async () => {
    await store.claimCreate(claim());
    await store.beginCancel(cancel());
    await store.commitCreate({
      eventUuid: 'ev-1',
      owner: 'w-a',
      now: T0 + 1500,
      meeting: meeting(),
    });
    await finish();
    expect(await written()).toEqual([]);
  });

  it('tells a joining invitee of a group event by email only, and a leaving one too', async () => {
    await activeBooking();
    await store.claimCreate(claim('b', { now: T0 + 100 }));
    await store.beginCancel(cancel('b', { now: T0 + 200 }));
    expect(await written()).toEqual([
      `meeting.created ${HOOK}`,
      'meeting.created email',
      'invitee.joined email',
      'invitee.left email',
    ]);
    const left = (await items()).at(-1)?.notice;
    expect(left).toMatchObject({ booking: { inviteeUri: inv('b') }, sequence: 1 });
  });

  it('tells an invitee who joined while the meeting was being made on its redelivery', async () => {
    await store.claimCreate(claim('a'));
    expect((await store.claimCreate(claim('b', { now: T0 + 5 }))).type).toBe('in_progress');
    await store.commitCreate({
      eventUuid: 'ev-1',
      owner: 'w-a',
      now: T0 + 10,
      meeting: meeting(),
      context: context('a'),
    });
    await store.claimCreate(claim('b', { now: T0 + 20 }));
    await store.claimCreate(claim('b', { now: T0 + 30 }));
    expect(await written()).toEqual([
      `meeting.created ${HOOK}`,
      'meeting.created email',
      'invitee.joined email',
    ]);
  });

  it('announces a move with where the meeting was, one SEQUENCE later', async () => {
    await activeBooking('a', { rescheduleMode: 'move' });
    await store.beginCancel(
      cancel('a', {
        finalStatus: 'superseded',
        supersededBy: inv('n', 'ev-2'),
        rescheduleMode: 'move',
      }),
    );
    const ctx = context('n', 'ev-2', '2026-12-05T15:00:00Z');
    const moved = await store.claimCreate(
      claim('n', {
        eventUuid: 'ev-2',
        now: T0 + 3000,
        startTime: ctx.startTime,
        reschedule: { oldInviteeUri: inv('a') },
        rescheduleMode: 'move',
        context: ctx,
      }),
    );
    expect(moved.type).toBe('move');
    await store.commitCreate({
      eventUuid: 'ev-2',
      owner: 'w-n',
      now: T0 + 3100,
      meeting: meeting(),
      context: ctx,
    });
    const last = (await items()).at(-1)?.notice;
    expect(last).toMatchObject({
      type: 'meeting.moved',
      sequence: 1,
      previous: { startTime: '2026-12-01T15:00:00Z', durationMinutes: 30 },
      booking: { eventUuid: 'ev-2', startTime: '2026-12-05T15:00:00Z' },
    });
    expect(await written()).toEqual([
      `meeting.created ${HOOK}`,
      'meeting.created email',
      `meeting.moved ${HOOK}`,
      'meeting.moved email',
    ]);
  });

  it('says a booking needs attention once per cause, to webhooks only', async () => {
    for (const [at, reason] of [
      [1, 'host_without_zoom_user'],
      [2, 'host_without_zoom_user'],
      [3, 'zoom_daily_limit'],
    ] as const) {
      const c = claim('a', { owner: `w${at}`, now: T0 + at * 100 });
      await store.claimCreate(c);
      await store.releaseLease({
        eventUuid: 'ev-1',
        owner: c.owner,
        now: c.now + 1,
        certainNoMeeting: true,
        attention: { reason, message: 'The host has no Zoom user.' },
        context: c.context,
      });
    }
    expect(await written()).toEqual([
      `booking.needs_attention ${HOOK}`,
      `booking.needs_attention ${HOOK}`,
    ]);
    expect((await store.get('ev-1'))?.attention).toMatchObject({ reason: 'zoom_daily_limit' });
    const c = claim('a', { owner: 'w9', now: T0 + 1000 });
    await store.claimCreate(c);
    await store.commitCreate({
      eventUuid: 'ev-1',
      owner: 'w9',
      now: c.now + 1,
      meeting: meeting(),
    });
    expect((await store.get('ev-1'))?.attention).toBeNull();
  });

  it('keeps an unsettled create held until Zoom could have finished', async () => {
    await store.claimCreate(claim());
    await store.releaseLease({
      eventUuid: 'ev-1',
      owner: 'w-a',
      now: T0 + 10,
      certainNoMeeting: false,
      settleUntil: T0 + 120_000,
    });
    expect((await store.claimCreate(claim('a', { owner: 'w2', now: T0 + 90_000 }))).type).toBe(
      'in_progress',
    );
    // Nobody would delete what Zoom makes late, so a cancellation is not acknowledged yet either.
    expect((await store.beginCancel(cancel('a', { now: T0 + 90_000 }))).type).toBe('in_progress');
    expect((await store.get('ev-1'))?.cancelRequested).toBe('cancelled');
    expect((await store.beginCancel(cancel('a', { owner: 'c2', now: T0 + 120_001 }))).type).toBe(
      'recover',
    );
  });

  describe('dispatch', () => {
    const lease = { leaseMs: 30_000, limit: 10 };

    it('hands each due item to one dispatcher at a time', async () => {
      await activeBooking();
      const first = await store.outbox.claimDue({ owner: 'd1', now: T0 + 100, ...lease });
      expect(first.map((i) => i.channel).sort()).toEqual([HOOK, 'email'].sort());
      expect(first[0]).toMatchObject({ attempts: 1, lease: { owner: 'd1' } });
      expect(await store.outbox.claimDue({ owner: 'd2', now: T0 + 200, ...lease })).toEqual([]);
      const later = await store.outbox.claimDue({ owner: 'd2', now: T0 + 30_101, ...lease });
      expect(later).toHaveLength(2);
    });

    it("keeps a booking's notices in order on each channel", async () => {
      await activeBooking();
      await store.beginCancel(cancel());
      await finish();
      const round1 = await store.outbox.claimDue({ owner: 'd', now: T0 + 3000, ...lease });
      expect(round1.map((i) => i.notice.type)).toEqual(['meeting.created', 'meeting.created']);
      const hook = round1.find((i) => i.channel === HOOK);
      await store.outbox.complete({
        itemId: hook!.itemId,
        owner: 'd',
        now: T0 + 3001,
        result: { type: 'delivered' },
      });
      const round2 = await store.outbox.claimDue({ owner: 'd', now: T0 + 3002, ...lease });
      expect(round2.map((i) => `${i.notice.type} ${i.channel}`)).toEqual([
        `meeting.deleted ${HOOK}`,
      ]);
    });

    it('retries an item when its time comes, and ignores a result from a dispatcher that lost it', async () => {
      await activeBooking();
      const [item] = await store.outbox.claimDue({ owner: 'd1', now: T0 + 100, ...lease });
      await store.outbox.complete({
        itemId: item!.itemId,
        owner: 'd1',
        now: T0 + 150,
        result: { type: 'retry', at: T0 + 5000, error: 'HTTP 503' },
      });
      const early = await store.outbox.claimDue({ owner: 'd2', now: T0 + 4999, ...lease });
      expect(early.map((i) => i.itemId)).not.toContain(item!.itemId);
      const again = await store.outbox.claimDue({ owner: 'd2', now: T0 + 5000, ...lease });
      const retried = again.find((i) => i.itemId === item!.itemId);
      expect(retried).toMatchObject({ attempts: 2, lastError: 'HTTP 503' });
      await store.outbox.complete({
        itemId: item!.itemId,
        owner: 'd1',
        now: T0 + 5001,
        result: { type: 'delivered' },
      });
      expect((await store.outbox.counts(T0 + 5002)).delivered).toBe(0);
    });

    it('keeps a failed item listed until it is retried by hand', async () => {
      await activeBooking();
      const claimed = await store.outbox.claimDue({ owner: 'd', now: T0 + 100, ...lease });
      for (const item of claimed) {
        await store.outbox.complete({
          itemId: item.itemId,
          owner: 'd',
          now: T0 + 200,
          result: { type: 'failed', error: 'gave up after 24 h' },
        });
      }
      expect(await store.outbox.counts(T0 + 300)).toEqual({ pending: 0, delivered: 0, failed: 2 });
      const failed = await store.outbox.list({ status: 'failed', now: T0 + 300 });
      expect(failed[0]?.lastError).toBe('gave up after 24 h');
      expect(await store.outbox.retry({ itemIds: [failed[0]!.itemId] }, T0 + 400)).toBe(1);
      expect(await store.outbox.retry({ allFailed: true }, T0 + 400)).toBe(1);
      const due = await store.outbox.claimDue({ owner: 'd2', now: T0 + 400, ...lease });
      expect(due).toHaveLength(2);
      expect(due[0]?.attempts).toBe(1);
    });

    it('prunes delivered items after a day', async () => {
      await activeBooking();
      for (const item of await store.outbox.claimDue({ owner: 'd', now: T0 + 100, ...lease })) {
        await store.outbox.complete({
          itemId: item.itemId,
          owner: 'd',
          now: T0 + 200,
          result: { type: 'delivered' },
        });
      }
      expect((await store.outbox.counts(T0 + 300)).delivered).toBe(2);
      expect((await store.outbox.counts(T0 + 200 + 24 * 3600_000 + 1)).delivered).toBe(0);
    });
  });

  describe('repairs', () => {
    it('forgets a recorded meeting deleted in Zoom and hands the booking back to be remade', async () => {
      await activeBooking();
      const result = await store.forgetMeeting({
        eventUuid: 'ev-1',
        meetingId: '85746065432',
        owner: 'r1',
        now: T0 + 500,
        leaseMs: LEASE,
      });
      expect(result.type).toBe('claimed');
      expect(await store.get('ev-1')).toMatchObject({
        status: 'creating',
        meeting: null,
        lease: { owner: 'r1' },
        recoveryNeeded: false,
      });
      const deleted = (await items()).filter((i) => i.notice.type === 'meeting.deleted');
      expect(deleted[0]?.notice).toMatchObject({
        reason: 'deleted_in_zoom',
        booking: context('a'),
      });
    });

    it('forgets nothing when the recorded meeting has changed meanwhile', async () => {
      await activeBooking();
      const result = await store.forgetMeeting({
        eventUuid: 'ev-1',
        meetingId: '1',
        owner: 'r1',
        now: T0 + 500,
        leaseMs: LEASE,
      });
      expect(result.type).toBe('unchanged');
      expect((await store.get('ev-1'))?.status).toBe('active');
    });

    it('expires a meeting kept for a move that never came, then announces its deletion', async () => {
      await activeBooking('a', { rescheduleMode: 'move' });
      await store.beginCancel(
        cancel('a', {
          finalStatus: 'superseded',
          supersededBy: inv('n', 'ev-2'),
          rescheduleMode: 'move',
        }),
      );
      const tooSoon = await store.expirePendingMove({
        eventUuid: 'ev-1',
        owner: 'x',
        now: T0 + 2000,
        leaseMs: LEASE,
        waitingSince: T0,
      });
      expect(tooSoon.type).toBe('unchanged');
      const expired = await store.expirePendingMove({
        eventUuid: 'ev-1',
        owner: 'x',
        now: T0 + 9000,
        leaseMs: LEASE,
        waitingSince: T0 + 5000,
      });
      expect(expired.type).toBe('delete');
      await finish({ owner: 'x', now: T0 + 9100, reason: 'move_abandoned', context: null });
      expect(await store.get('ev-1')).toMatchObject({ status: 'superseded', pendingMove: false });
      const deleted = (await items()).filter((i) => i.notice.type === 'meeting.deleted');
      expect(deleted[0]?.notice).toMatchObject({ reason: 'move_abandoned', booking: context('a') });
    });

    it('probes with a harmless write', async () => {
      await expect(store.probe()).resolves.toBeUndefined();
    });
  });
});
