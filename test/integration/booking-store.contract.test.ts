import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_LIMIT } from '../../src/store/booking-record';
import type {
  BookingStore,
  ClaimCreateInput,
  ReleaseLeaseInput,
} from '../../src/store/booking-store';
import { MemoryBookingStore } from '../../src/store/memory';
import { SqliteBookingStore } from '../../src/store/sqlite';
import * as rules from '../../src/store/transitions';
import { simulate } from '../support/lifecycle-sim';
import { closeStoreFactories, storeFactories } from '../support/store-factories';
import {
  cancelInput,
  claimInput,
  EVENT,
  inviteeUri,
  LEASE,
  storedMeeting,
  T0,
} from '../support/store-inputs';

// One behavioural suite for every adapter: the lifecycle's correctness rests on each transition
// meaning the same thing whatever holds the records.

const inv = inviteeUri;
const claim = claimInput;
const cancel = cancelInput;
const meeting = storedMeeting;

afterAll(() => closeStoreFactories());

describe.each(storeFactories())('booking store contract: $name', ({ create }) => {
  let store: BookingStore;
  beforeEach(async () => {
    store = await create();
  });
  afterEach(async () => {
    await store.close();
  });

  async function activeBooking(rescheduleMode: 'recreate' | 'move' = 'recreate'): Promise<void> {
    await store.claimCreate(claim({ rescheduleMode }));
    await store.commitCreate({ eventUuid: EVENT, owner: 'w1', now: T0 + 10, meeting: meeting() });
  }

  it('knows nothing of a booking it never saw', async () => {
    expect(await store.get(EVENT)).toBeNull();
    expect(await store.findByInvitee(inv('a'))).toBeNull();
  });

  it('claims a new booking as creating, with a lease, and indexes its invitee', async () => {
    const result = await store.claimCreate(claim());
    expect(result.type).toBe('claimed');
    const record = await store.get(EVENT);
    expect(record).toMatchObject({
      status: 'creating',
      lease: { owner: 'w1', expiresAt: T0 + LEASE },
      invitees: { [inv('a')]: 'active' },
      recoveryNeeded: true,
      startTime: '2026-12-01T15:00:00Z',
      durationMinutes: 30,
    });
    expect((await store.findByInvitee(inv('a')))?.eventUuid).toBe(EVENT);
  });

  it('commits the meeting and keeps ids as strings, even numeric-looking ones', async () => {
    const numericEvent = '12345678901';
    await store.claimCreate(claim({ eventUuid: numericEvent }));
    const result = await store.commitCreate({
      eventUuid: numericEvent,
      owner: 'w1',
      now: T0 + 10,
      meeting: meeting('85746065432'),
    });
    expect(result.type).toBe('committed');
    const record = await store.get(numericEvent);
    expect(record?.status).toBe('active');
    expect(record?.eventUuid).toBe(numericEvent);
    expect(record?.meeting?.id).toBe('85746065432');
    expect(record?.lease).toBeNull();
  });

  it('answers exists for a duplicate create of an active booking', async () => {
    await activeBooking();
    expect(await store.claimCreate(claim({ owner: 'w2' }))).toMatchObject({
      type: 'exists',
      inviteeAdded: false,
    });
  });

  it('adds a new invitee of a group event to the active booking', async () => {
    await activeBooking();
    const result = await store.claimCreate(claim({ inviteeUri: inv('b'), owner: 'w2' }));
    expect(result).toMatchObject({ type: 'exists', inviteeAdded: true });
    expect((await store.get(EVENT))?.invitees).toEqual({
      [inv('a')]: 'active',
      [inv('b')]: 'active',
    });
  });

  it('answers in_progress while another worker holds a live lease', async () => {
    await store.claimCreate(claim());
    const result = await store.claimCreate(claim({ owner: 'w2', now: T0 + LEASE - 1 }));
    expect(result.type).toBe('in_progress');
  });

  it('hands an expired lease over with recover, since the holder may have reached Zoom', async () => {
    await store.claimCreate(claim());
    const result = await store.claimCreate(claim({ owner: 'w2', now: T0 + LEASE + 1 }));
    expect(result.type).toBe('recover');
    expect((await store.get(EVENT))?.lease?.owner).toBe('w2');
  });

  it('hands a released lease over as claimed when Zoom certainly made nothing', async () => {
    await store.claimCreate(claim());
    await store.releaseLease({
      eventUuid: EVENT,
      owner: 'w1',
      now: T0 + 5,
      certainNoMeeting: true,
    });
    expect((await store.claimCreate(claim({ owner: 'w2', now: T0 + 6 }))).type).toBe('claimed');
  });

  it('ignores a release by a worker that no longer holds the lease', async () => {
    await store.claimCreate(claim());
    await store.releaseLease({
      eventUuid: EVENT,
      owner: 'w9',
      now: T0 + 5,
      certainNoMeeting: true,
    });
    expect((await store.get(EVENT))?.lease?.owner).toBe('w1');
  });

  it('tombstones a cancellation of an unknown booking and refuses its late create', async () => {
    expect((await store.beginCancel(cancel())).type).toBe('tombstoned');
    expect((await store.claimCreate(claim({ now: T0 + 2000 }))).type).toBe('refused');
    expect((await store.get(EVENT))?.status).toBe('tombstoned');
  });

  it('hands the last cancellation the meeting to delete, then records it cancelled', async () => {
    await activeBooking();
    const result = await store.beginCancel(cancel());
    expect(result.type).toBe('delete');
    expect(result.record.meeting?.id).toBe('85746065432');
    expect((await store.get(EVENT))?.status).toBe('cancelling');

    const finished = await store.finishCancel({
      eventUuid: EVENT,
      owner: 'c1',
      now: T0 + 2000,
      zoomResult: 'deleted',
    });
    expect(finished?.status).toBe('cancelled');
    expect(finished?.meeting?.startUrl).toBeNull();
  });

  it('records a rescheduled cancellation as superseded, linked to the new booking', async () => {
    await activeBooking();
    await store.beginCancel(cancel({ finalStatus: 'superseded', supersededBy: inv('n', 'ev-2') }));
    const finished = await store.finishCancel({
      eventUuid: EVENT,
      owner: 'c1',
      now: T0 + 2000,
      zoomResult: 'already_gone',
    });
    expect(finished).toMatchObject({ status: 'superseded', supersededBy: inv('n', 'ev-2') });
  });

  it('answers done to a duplicate cancellation', async () => {
    await activeBooking();
    await store.beginCancel(cancel());
    await store.finishCancel({
      eventUuid: EVENT,
      owner: 'c1',
      now: T0 + 2000,
      zoomResult: 'deleted',
    });
    expect((await store.beginCancel(cancel({ owner: 'c2', now: T0 + 3000 }))).type).toBe('done');
  });

  it('keeps the meeting while other invitees of the group event stay booked', async () => {
    await activeBooking();
    await store.claimCreate(claim({ inviteeUri: inv('b'), owner: 'w2' }));
    expect((await store.beginCancel(cancel())).type).toBe('kept');
    expect((await store.get(EVENT))?.status).toBe('active');
  });

  it('defers a cancellation that arrives while the creator holds its lease', async () => {
    await store.claimCreate(claim());
    expect((await store.beginCancel(cancel())).type).toBe('deferred');
    const commit = await store.commitCreate({
      eventUuid: EVENT,
      owner: 'w1',
      now: T0 + 2000,
      meeting: meeting(),
    });
    expect(commit.type).toBe('cancel_requested');
    expect((await store.get(EVENT))?.status).toBe('cancelling');
  });

  it('lets a cancellation take over an abandoned create to clean it up', async () => {
    await store.claimCreate(claim());
    expect((await store.beginCancel(cancel({ now: T0 + LEASE + 1 }))).type).toBe('recover');
  });

  it('tells the second of two racing creators that it lost', async () => {
    await store.claimCreate(claim());
    await store.claimCreate(claim({ owner: 'w2', now: T0 + LEASE + 1 }));
    await store.commitCreate({
      eventUuid: EVENT,
      owner: 'w2',
      now: T0 + LEASE + 2,
      meeting: meeting('1'),
    });
    const late = await store.commitCreate({
      eventUuid: EVENT,
      owner: 'w1',
      now: T0 + LEASE + 3,
      meeting: meeting('2'),
    });
    expect(late.type).toBe('lost');
    expect((await store.get(EVENT))?.meeting?.id).toBe('1');
  });

  const rescheduledCancel = (rescheduleMode: 'recreate' | 'move') =>
    cancel({ finalStatus: 'superseded', supersededBy: inv('n', 'ev-2'), rescheduleMode });
  const newHalf = (
    rescheduleMode: 'recreate' | 'move',
    overrides: Partial<ClaimCreateInput> = {},
  ) =>
    claim({
      eventUuid: 'ev-2',
      eventUri: 'https://api.calendly.com/scheduled_events/ev-2',
      inviteeUri: inv('n', 'ev-2'),
      owner: 'w3',
      now: T0 + 3000,
      reschedule: { oldInviteeUri: inv('a') },
      rescheduleMode,
      ...overrides,
    });

  it('moves the meeting to the new booking of a reschedule, cancel first (move mode)', async () => {
    await activeBooking('move');
    const kept = await store.beginCancel(rescheduledCancel('move'));
    expect(kept.type).toBe('kept_for_move');

    const moved = await store.claimCreate(newHalf('move'));
    expect(moved.type).toBe('move');
    expect(moved.record).toMatchObject({ movingFrom: EVENT, meeting: { id: '85746065432' } });
    expect(await store.get(EVENT)).toMatchObject({ status: 'superseded', pendingMove: false });
  });

  it('records the reschedule mode of the caller that first made the booking', async () => {
    await activeBooking('move');
    expect(await store.get(EVENT)).toMatchObject({ rescheduleMode: 'move' });
  });

  it('keeps the meeting for a move when the booking was made in move mode, whatever the canceller says', async () => {
    await activeBooking('move');
    expect((await store.beginCancel(rescheduledCancel('recreate'))).type).toBe('kept_for_move');
  });

  it('deletes the meeting of a booking made in recreate mode, whatever the canceller says', async () => {
    await activeBooking('recreate');
    expect((await store.beginCancel(rescheduledCancel('move'))).type).toBe('delete');
  });

  it('moves the meeting when the booking was made in move mode, whatever the new half says (create first)', async () => {
    await activeBooking('move');
    const moved = await store.claimCreate(newHalf('recreate'));
    expect(moved.type).toBe('move');
    expect(moved.record.rescheduleMode).toBe('move');
  });

  it('makes a new meeting when the booking was made in recreate mode, whatever the new half says', async () => {
    await activeBooking('recreate');
    const claimed = await store.claimCreate(newHalf('move'));
    expect(claimed.type).toBe('claimed');
    expect(claimed.record.rescheduleMode).toBe('recreate');
  });

  it('keeps the audit trail bounded', async () => {
    await activeBooking();
    for (let i = 0; i < AUDIT_LIMIT * 2; i++) {
      await store.claimCreate(claim({ inviteeUri: inv(`g${i}`), owner: `w${i}`, now: T0 + i }));
    }
    expect((await store.get(EVENT))?.audit).toHaveLength(AUDIT_LIMIT);
  });

  describe('history: each change names the delivery behind it and how that delivery ended', () => {
    const created = { via: 'invitee.created' } as const;
    const canceled = { via: 'invitee.canceled' } as const;
    const lastEntry = async (event = EVENT) => (await store.get(event))?.audit.at(-1);
    /** The canceller's finish, as the lifecycle sends it after Zoom answered `zoomResult`. */
    const finish = (zoomResult: 'deleted' | 'already_gone') =>
      store.finishCancel({
        eventUuid: EVENT,
        owner: 'c1',
        now: T0 + 2000,
        zoomResult,
        ...canceled,
      });
    /** The creator lets go of a booking it could not serve. */
    const release = (attention: ReleaseLeaseInput['attention'] = null) =>
      store.releaseLease({
        eventUuid: EVENT,
        owner: 'w1',
        now: T0 + 5,
        certainNoMeeting: attention !== null,
        attention,
        ...created,
      });
    const history = async (event = EVENT) =>
      ((await store.get(event))?.audit ?? []).map(({ action, via, outcome }) => ({
        action,
        via,
        outcome,
      }));

    it('a booking made and cancelled: claimed, created, cancelled, each with its delivery', async () => {
      await store.claimCreate(claim(created));
      await store.commitCreate({
        eventUuid: EVENT,
        owner: 'w1',
        now: T0 + 10,
        meeting: meeting(),
        ...created,
      });
      await store.beginCancel(cancel(canceled));
      await finish('deleted');
      expect(await history()).toEqual([
        { action: 'claimed', via: 'invitee.created', outcome: undefined },
        { action: 'meeting_created', via: 'invitee.created', outcome: 'created' },
        { action: 'invitee_canceled', via: 'invitee.canceled', outcome: undefined },
        { action: 'meeting_deleted', via: 'invitee.canceled', outcome: 'cancelled' },
      ]);
    });

    it('a change no delivery asked for (reconcile, expiry) names none', async () => {
      await activeBooking();
      expect((await store.get(EVENT))?.audit.map((e) => e.via)).toEqual([undefined, undefined]);
    });

    it('a booking Zoom could not serve: needs_attention, with the reason as detail', async () => {
      await store.claimCreate(claim(created));
      await release({ reason: 'host_without_zoom_user', message: 'no such host' });
      expect(await lastEntry()).toEqual({
        at: T0 + 5,
        action: 'lease_released',
        detail: 'host_without_zoom_user',
        via: 'invitee.created',
        outcome: 'needs_attention',
      });
    });

    it('a delivery answered "try again later": failed', async () => {
      await store.claimCreate(claim(created));
      await release();
      expect(await lastEntry()).toMatchObject({ action: 'lease_released', outcome: 'failed' });
    });

    it('a meeting Zoom had already lost: already_gone', async () => {
      await activeBooking();
      await store.beginCancel(cancel(canceled));
      await finish('already_gone');
      expect(await lastEntry()).toMatchObject({
        action: 'meeting_deleted',
        outcome: 'already_gone',
      });
    });

    it('the old half of a reschedule: superseded', async () => {
      await activeBooking();
      await store.beginCancel({ ...rescheduledCancel('recreate'), ...canceled });
      await finish('deleted');
      expect(await lastEntry()).toMatchObject({ outcome: 'superseded' });
    });

    it('a meeting kept for a move: superseded at once; moved when the new half takes it', async () => {
      await activeBooking('move');
      await store.beginCancel({ ...rescheduledCancel('move'), ...canceled });
      expect(await lastEntry()).toMatchObject({
        action: 'invitee_canceled',
        outcome: 'superseded',
      });
      await store.claimCreate({ ...newHalf('move'), ...created });
      await store.commitCreate({
        eventUuid: 'ev-2',
        owner: 'w3',
        now: T0 + 3001,
        meeting: meeting(),
        ...created,
      });
      expect(await lastEntry('ev-2')).toMatchObject({
        action: 'meeting_created',
        outcome: 'moved',
      });
    });

    it('a group event: a joining invitee is a duplicate, a leaving one keeps the meeting', async () => {
      await activeBooking();
      await store.claimCreate(claim({ inviteeUri: inv('b'), owner: 'w2', ...created }));
      expect(await lastEntry()).toMatchObject({ action: 'invitee_joined', outcome: 'duplicate' });
      await store.beginCancel(cancel({ inviteeUri: inv('b'), ...canceled }));
      expect(await lastEntry()).toMatchObject({
        action: 'invitee_canceled',
        outcome: 'kept_for_other_invitees',
      });
    });

    it('a cancellation before its booking: tombstoned', async () => {
      await store.beginCancel(cancel(canceled));
      expect(await history()).toEqual([
        { action: 'tombstoned', via: 'invitee.canceled', outcome: 'tombstoned' },
      ]);
    });

    it('a cancellation while the meeting is being made: settled as cancelled, deleted later', async () => {
      await store.claimCreate(claim(created));
      await store.beginCancel(cancel(canceled));
      expect(await lastEntry()).toMatchObject({ action: 'invitee_canceled', outcome: 'cancelled' });
    });

    it('a delivery that changed nothing leaves no entry', async () => {
      await activeBooking();
      // The first redelivery tells the invitee of the meeting (a commit without context told nobody).
      await store.claimCreate(claim({ owner: 'w2', now: T0 + 20, ...created }));
      const before = (await store.get(EVENT))?.audit;
      await store.claimCreate(claim({ owner: 'w3', now: T0 + 30, ...created }));
      expect((await store.get(EVENT))?.audit).toEqual(before);
    });
  });

  it('lists every record', async () => {
    await activeBooking();
    await store.beginCancel(
      cancel({ eventUuid: 'ev-9', eventUri: 'x', inviteeUri: inv('z', 'ev-9') }),
    );
    const uuids: string[] = [];
    for await (const record of store.list()) uuids.push(record.eventUuid);
    expect(uuids.sort()).toEqual([EVENT, 'ev-9']);
  });

  it.each(['recreate', 'move'] as const)(
    'keeps the lifecycle invariants over 40 randomised seeds (%s mode)',
    async (mode) => {
      for (let seed = 1; seed <= 40; seed++) {
        const fresh = await create();
        try {
          const { problems } = await simulate(seed, mode, undefined, fresh);
          expect({ seed, problems }).toEqual({ seed, problems: [] });
        } finally {
          await fresh.close();
        }
      }
    },
  );
});

describe('SQLite store on a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cz-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory and keeps records across a reopen', async () => {
    const path = join(dir, 'nested', 'store.db');
    const first = new SqliteBookingStore({ path });
    await first.claimCreate(claim());
    await first.close();

    const second = new SqliteBookingStore({ path });
    expect((await second.get(EVENT))?.status).toBe('creating');
    await second.close();
  });

  it('drops finished records after the retention period and keeps live ones', async () => {
    let now = T0;
    const store = new SqliteBookingStore({
      path: join(dir, 's.db'),
      retentionSeconds: 60,
      now: () => now,
    });
    await store.beginCancel(cancel({ now: T0 }));
    await store.claimCreate(claim({ eventUuid: 'live', inviteeUri: inv('l', 'live'), now: T0 }));
    now = T0 + 61_000;
    expect(await store.get(EVENT)).toBeNull();
    expect(await store.findByInvitee(inv('a'))).toBeNull();
    expect((await store.get('live'))?.status).toBe('creating');
    await store.close();
  });
});

describe('memory store', () => {
  it('hands out copies, so a caller cannot change stored state by accident', async () => {
    const store = new MemoryBookingStore();
    await store.claimCreate(claim());
    const record = await store.get(EVENT);
    if (record) record.status = 'active';
    expect((await store.get(EVENT))?.status).toBe('creating');
  });
});

describe('transition rules on records written before reschedule modes were kept', () => {
  it("follow the caller's mode", async () => {
    const store = new MemoryBookingStore();
    await store.claimCreate(claim());
    await store.commitCreate({ eventUuid: EVENT, owner: 'w1', now: T0 + 10, meeting: meeting() });
    const legacy = { ...(await store.get(EVENT))! };
    delete legacy.rescheduleMode;
    const snapshot = { record: () => legacy, eventOfInvitee: () => null };
    const cancelInput = cancel({ finalStatus: 'superseded', supersededBy: inv('n', 'ev-2') });
    expect(
      rules.beginCancel(snapshot, { ...cancelInput, rescheduleMode: 'move' }).result.type,
    ).toBe('kept_for_move');
    expect(
      rules.beginCancel(snapshot, { ...cancelInput, rescheduleMode: 'recreate' }).result.type,
    ).toBe('delete');
  });
});
