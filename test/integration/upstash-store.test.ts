import type { Redis } from '@upstash/redis';
import type IORedis from 'ioredis';
import {
  isFinished,
  type AuditVia,
  type BookingRecord,
  type StoredMeeting,
} from '../../src/store/booking-record';
import type {
  BeginCancelInput,
  BookingStore,
  ClaimCreateInput,
  CommitCreateInput,
  FinishCancelInput,
  ReleaseLeaseInput,
  RescheduleMode,
} from '../../src/store/booking-store';
import { StoreError } from '../../src/store/errors';
import { storeScripts } from '../../src/store/lua-scripts';
import { MemoryBookingStore } from '../../src/store/memory';
import { createUpstashBookingStore, upstashKeys } from '../../src/store/upstash';
import { prng, simulate } from '../support/lifecycle-sim';
import {
  deleteKeysByPrefix,
  rawRedis,
  TEST_REDIS_URL,
  uniquePrefix,
  upstashClient,
} from '../support/redis-test-env';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';

const API = 'https://api.calendly.com/scheduled_events';
const T0 = Date.parse('2026-11-26T12:00:00Z');
const LEASE = 60_000;
const RETENTION = 3600;

let bridge: UpstashBridge;
let raw: IORedis;
let prefix: string;

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL });
  raw = rawRedis();
});

afterAll(async () => {
  await bridge.close();
  await raw.quit();
});

beforeEach(() => {
  prefix = uniquePrefix('upstash-store');
});

afterEach(async () => {
  bridge.setDown(false);
  await deleteKeysByPrefix(raw, prefix);
});

/** Both channel kinds, so the differential tests compare the notices the scripts write too. */
const DIFF_CHANNELS = ['webhook:https://consumer.example/hooks', 'email'];

function upstashStore(
  client: Redis = upstashClient(bridge),
  storePrefix = prefix,
  channels: string[] = [],
): BookingStore {
  return createUpstashBookingStore({
    redis: client,
    prefix: storePrefix,
    retentionSeconds: RETENTION,
    notify: { channels },
  });
}

// ---- inputs, named as the lifecycle would send them ------------------------------------------

const eventUri = (event: string): string => `${API}/${event}`;
const inviteeUri = (event: string, invitee: string): string =>
  `${API}/${event}/invitees/${invitee}`;

interface Timing {
  owner?: string;
  /** ms after T0 */
  at?: number;
  /** The caller's reschedule setting (default recreate). */
  mode?: RescheduleMode;
}

function meeting(id: string): StoredMeeting {
  return {
    id,
    joinUrl: `https://zoom.us/j/${id}?pwd=abc`,
    startUrl: `https://zoom.us/s/${id}?zak=host-secret-${id}`,
    password: 'abc',
    host: 'host@example.com',
  };
}

type Step =
  | { op: 'claimCreate'; input: ClaimCreateInput }
  | { op: 'commitCreate'; input: CommitCreateInput }
  | { op: 'beginCancel'; input: BeginCancelInput }
  | { op: 'finishCancel'; input: FinishCancelInput }
  | { op: 'releaseLease'; input: ReleaseLeaseInput };
type StepOf<O extends Step['op']> = Extract<Step, { op: O }>;

function claim(
  event: string,
  invitee: string,
  o: Timing & { reschedule?: { oldInviteeUri: string; mode: RescheduleMode } } = {},
): StepOf<'claimCreate'> {
  return {
    op: 'claimCreate',
    input: {
      eventUuid: event,
      eventUri: eventUri(event),
      inviteeUri: inviteeUri(event, invitee),
      owner: o.owner ?? 'w1',
      now: T0 + (o.at ?? 0),
      leaseMs: LEASE,
      startTime: '2026-12-01T15:00:00Z',
      durationMinutes: 30,
      reschedule: o.reschedule ? { oldInviteeUri: o.reschedule.oldInviteeUri } : null,
      rescheduleMode: o.reschedule?.mode ?? o.mode ?? 'recreate',
    },
  };
}

function commit(event: string, meetingId: string, o: Timing = {}): StepOf<'commitCreate'> {
  return {
    op: 'commitCreate',
    input: {
      eventUuid: event,
      owner: o.owner ?? 'w1',
      now: T0 + (o.at ?? 0),
      meeting: meeting(meetingId),
    },
  };
}

function cancel(
  event: string,
  invitee: string,
  o: Timing & Partial<Pick<BeginCancelInput, 'finalStatus' | 'supersededBy'>> = {},
): StepOf<'beginCancel'> {
  return {
    op: 'beginCancel',
    input: {
      eventUuid: event,
      eventUri: eventUri(event),
      inviteeUri: inviteeUri(event, invitee),
      owner: o.owner ?? 'w1',
      now: T0 + (o.at ?? 0),
      leaseMs: LEASE,
      finalStatus: o.finalStatus ?? 'cancelled',
      supersededBy: o.supersededBy ?? null,
      rescheduleMode: o.mode ?? 'recreate',
    },
  };
}

function finish(
  event: string,
  o: Timing & { zoomResult?: FinishCancelInput['zoomResult'] } = {},
): StepOf<'finishCancel'> {
  return {
    op: 'finishCancel',
    input: {
      eventUuid: event,
      owner: o.owner ?? 'w1',
      now: T0 + (o.at ?? 0),
      zoomResult: o.zoomResult ?? 'deleted',
    },
  };
}

function release(
  event: string,
  o: Timing & { certainNoMeeting?: boolean } = {},
): StepOf<'releaseLease'> {
  return {
    op: 'releaseLease',
    input: {
      eventUuid: event,
      owner: o.owner ?? 'w1',
      now: T0 + (o.at ?? 0),
      certainNoMeeting: o.certainNoMeeting ?? false,
    },
  };
}

function perform(store: BookingStore, step: Step): Promise<unknown> {
  switch (step.op) {
    case 'claimCreate':
      return store.claimCreate(step.input);
    case 'commitCreate':
      return store.commitCreate(step.input);
    case 'beginCancel':
      return store.beginCancel(step.input);
    case 'finishCancel':
      return store.finishCancel(step.input);
    case 'releaseLease':
      return store.releaseLease(step.input);
  }
}

/** What a step answered, in one word: the result type, or the status of the record returned. */
function outcome(result: unknown): string {
  if (result === undefined) return 'void';
  if (result === null) return 'null';
  const r = result as { type?: string; status?: string; inviteeAdded?: boolean };
  if (r.type) return r.inviteeAdded ? `${r.type}+joined` : r.type;
  return `record:${r.status}`;
}

// ---- the two stores side by side ---------------------------------------------------------------

/**
 * Runs every step on the in-memory reference and on Upstash, and after each one expects the same
 * answer and the same stored state (every booking and index entry the steps have named so far).
 */
class Differential {
  readonly memory = new MemoryBookingStore({ notify: { channels: DIFF_CHANNELS } });
  private readonly events = new Set<string>();
  private readonly invitees = new Set<string>();

  constructor(readonly upstash: BookingStore) {}

  async run(step: Step): Promise<unknown> {
    this.watch(step);
    const expected = await perform(this.memory, step);
    const actual = await perform(this.upstash, step);
    expectSame(actual, expected);
    await this.expectSameState();
    return expected;
  }

  async expectSameState(): Promise<void> {
    const events = [...this.events];
    const invitees = [...this.invitees];
    const read = (store: BookingStore) =>
      Promise.all([
        Promise.all(events.map((e) => store.get(e))),
        Promise.all(invitees.map((i) => store.findByInvitee(i))),
      ]);
    expectSame(await read(this.upstash), await read(this.memory));
  }

  async expectSameList(): Promise<void> {
    const all = async (store: BookingStore): Promise<BookingRecord[]> => {
      const records: BookingRecord[] = [];
      for await (const record of store.list()) records.push(record);
      return records.sort((a, b) => a.eventUuid.localeCompare(b.eventUuid));
    };
    expectSame(await all(this.upstash), await all(this.memory));
    // The same notices (ids aside: random on one side, counted on the other). Listing order is
    // by time, and notices written in one step tie, so they are compared as sorted sets.
    const notices = async (store: BookingStore) =>
      (await store.outbox.list({ now: T0 }))
        .map(({ itemId: _i, notice: { id: _n, ...notice }, ...item }) =>
          canonical({ ...item, notice }),
        )
        .sort();
    expectSame(await notices(this.upstash), await notices(this.memory));
  }

  private watch(step: Step): void {
    this.events.add(step.input.eventUuid);
    const input = step.input as Partial<ClaimCreateInput & BeginCancelInput>;
    for (const uri of [input.inviteeUri, input.reschedule?.oldInviteeUri, input.supersededBy]) {
      if (uri) this.invitees.add(uri);
    }
  }
}

/**
 * Equal as JSON documents (key order aside), which is what a store keeps. Compared as canonical
 * text first because Jest's deep equality dominated the randomized suite's run time; the slow
 * matcher runs only to print the difference.
 */
function expectSame(actual: unknown, expected: unknown): void {
  if (canonical(actual) === canonical(expected)) return;
  expect(actual).toStrictEqual(expected);
  expect(canonical(actual)).toBe(canonical(expected));
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'undefined'
  );
}

// ---- the transition rules, scenario by scenario ---------------------------------------------

const NEW_B = inviteeUri('ev2', 'b');
const MOVE_FROM_A = { oldInviteeUri: inviteeUri('ev1', 'a'), mode: 'move' } as const;
const RECREATE_FROM_A = { oldInviteeUri: inviteeUri('ev1', 'a'), mode: 'recreate' } as const;
const AFTER_LEASE = LEASE + 1;

/** The old half of a reschedule of ev1/a to NEW_B, in move mode. */
function rescheduledInMoveMode(): StepOf<'beginCancel'> {
  return cancel('ev1', 'a', {
    at: 1,
    finalStatus: 'superseded',
    supersededBy: NEW_B,
    mode: 'move',
  });
}

/** The step as the lifecycle sends it for a delivery of this kind (named in the history). */
function by<S extends Step>(via: AuditVia, step: S): S {
  return { ...step, input: { ...step.input, via } };
}

const SCENARIOS: [name: string, steps: [Step, string][]][] = [
  [
    "a booking's history names each delivery and how it ended",
    [
      [by('invitee.created', claim('ev1', 'a')), 'claimed'],
      [by('invitee.created', release('ev1', { certainNoMeeting: true, at: 1 })), 'void'],
      [by('invitee.created', claim('ev1', 'a', { at: 2 })), 'claimed'],
      [by('invitee.created', commit('ev1', '85746065432', { at: 3 })), 'committed'],
      [by('invitee.created', claim('ev1', 'b', { at: 4 })), 'exists+joined'],
      [by('invitee.canceled', cancel('ev1', 'b', { at: 5 })), 'kept'],
      [by('invitee.canceled', cancel('ev1', 'a', { at: 6 })), 'delete'],
      [
        by('invitee.canceled', finish('ev1', { at: 7, zoomResult: 'already_gone' })),
        'record:cancelled',
      ],
      [by('invitee.canceled', cancel('ev2', 'a', { at: 8 })), 'tombstoned'],
    ],
  ],
  [
    'a reschedule in move mode: superseded, then moved',
    [
      [by('invitee.created', claim('ev1', 'a', { mode: 'move' })), 'claimed'],
      [by('invitee.created', commit('ev1', '85746065432')), 'committed'],
      [by('invitee.canceled', rescheduledInMoveMode()), 'kept_for_move'],
      [by('invitee.created', claim('ev2', 'b', { at: 2, reschedule: MOVE_FROM_A })), 'move'],
      [by('invitee.created', commit('ev2', '85746065432', { at: 3 })), 'committed'],
    ],
  ],
  [
    'a fresh claim is claimed and its commit committed',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
    ],
  ],
  [
    'a duplicate create finds the meeting',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [claim('ev1', 'a', { owner: 'w2', at: 5 }), 'exists'],
    ],
  ],
  [
    'a group event: invitees join, the last cancel deletes',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [claim('ev1', 'b', { owner: 'w2', at: 1 }), 'exists+joined'],
      [cancel('ev1', 'a', { owner: 'w3', at: 2 }), 'kept'],
      [cancel('ev1', 'b', { owner: 'w4', at: 3 }), 'delete'],
      [finish('ev1', { owner: 'w4', at: 4 }), 'record:cancelled'],
    ],
  ],
  [
    'a create under a live lease is in progress, and a joiner is recorded meanwhile',
    [
      [claim('ev1', 'a'), 'claimed'],
      [claim('ev1', 'a', { owner: 'w2', at: 10 }), 'in_progress'],
      [claim('ev1', 'b', { owner: 'w3', at: 20 }), 'in_progress'],
      [commit('ev1', '85746065432', { at: 30 }), 'committed'],
    ],
  ],
  [
    'an expired create lease is taken over (recover); the old holder then loses its commit',
    [
      [claim('ev1', 'a'), 'claimed'],
      [claim('ev1', 'a', { owner: 'w2', at: AFTER_LEASE }), 'recover'],
      [commit('ev1', '85746065433', { owner: 'w2', at: AFTER_LEASE + 1 }), 'committed'],
      [commit('ev1', '85746065432', { at: AFTER_LEASE + 2 }), 'lost'],
      [commit('ev1', '85746065433', { at: AFTER_LEASE + 3 }), 'committed'],
    ],
  ],
  [
    'a release certain that no meeting exists lets the next holder claim afresh',
    [
      [claim('ev1', 'a'), 'claimed'],
      [release('ev1', { certainNoMeeting: true, at: 1 }), 'void'],
      [claim('ev1', 'a', { owner: 'w2', at: 2 }), 'claimed'],
    ],
  ],
  [
    'a release that is not certain makes the next holder recover',
    [
      [claim('ev1', 'a'), 'claimed'],
      [release('ev1', { certainNoMeeting: false, at: 1 }), 'void'],
      [claim('ev1', 'a', { owner: 'w2', at: 2 }), 'recover'],
    ],
  ],
  [
    'a release by someone who does not hold the lease changes nothing',
    [
      [claim('ev1', 'a'), 'claimed'],
      [release('ev1', { owner: 'w2', at: 1 }), 'void'],
      [release('ev9', { at: 1 }), 'void'],
      [claim('ev1', 'a', { owner: 'w2', at: 2 }), 'in_progress'],
    ],
  ],
  [
    'a cancel before the create leaves a tombstone that refuses the late create',
    [
      [cancel('ev1', 'a'), 'tombstoned'],
      [claim('ev1', 'a', { at: 1 }), 'refused'],
      [cancel('ev1', 'a', { at: 2 }), 'done'],
      [cancel('ev1', 'b', { at: 3 }), 'tombstoned'],
      [claim('ev1', 'c', { at: 4 }), 'claimed'],
    ],
  ],
  [
    'a cancel during the create is deferred; the creator learns it must delete',
    [
      [claim('ev1', 'a'), 'claimed'],
      [cancel('ev1', 'a', { owner: 'w2', at: 1 }), 'deferred'],
      [commit('ev1', '85746065432', { at: 2 }), 'cancel_requested'],
      [finish('ev1', { at: 3 }), 'record:cancelled'],
      [commit('ev1', '85746065432', { at: 4 }), 'lost'],
    ],
  ],
  [
    'an abandoned create is cleaned up by the redelivered create (refused -> recover)',
    [
      [claim('ev1', 'a'), 'claimed'],
      [cancel('ev1', 'a', { owner: 'w2', at: 1000 }), 'deferred'],
      [claim('ev1', 'a', { owner: 'w3', at: 2000 }), 'in_progress'],
      [claim('ev1', 'a', { owner: 'w3', at: AFTER_LEASE }), 'recover'],
      [
        finish('ev1', { owner: 'w3', at: AFTER_LEASE + 1, zoomResult: 'no_meeting' }),
        'record:cancelled',
      ],
      [claim('ev1', 'a', { owner: 'w4', at: AFTER_LEASE + 2 }), 'refused'],
    ],
  ],
  [
    'a cancel of an abandoned create takes the lease over (recover)',
    [
      [claim('ev1', 'a'), 'claimed'],
      [cancel('ev1', 'a', { owner: 'w2', at: AFTER_LEASE }), 'recover'],
      [
        finish('ev1', { owner: 'w2', at: AFTER_LEASE + 1, zoomResult: 'already_gone' }),
        'record:cancelled',
      ],
    ],
  ],
  [
    'a delete under a live lease is in progress; an expired one is taken over',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev1', 'a', { owner: 'w2', at: 1 }), 'delete'],
      [cancel('ev1', 'a', { owner: 'w3', at: 2 }), 'in_progress'],
      [cancel('ev1', 'b', { owner: 'w3', at: 3 }), 'in_progress'],
      [claim('ev1', 'c', { owner: 'w3', at: 4 }), 'in_progress'],
      [cancel('ev1', 'a', { owner: 'w3', at: 1 + AFTER_LEASE }), 'delete'],
      [finish('ev1', { owner: 'w3', at: 2 + AFTER_LEASE }), 'record:cancelled'],
    ],
  ],
  [
    'a released delete lease is taken over by the next cancel at once',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev1', 'a', { owner: 'w2', at: 1 }), 'delete'],
      [release('ev1', { owner: 'w2', at: 2, certainNoMeeting: true }), 'void'],
      [cancel('ev1', 'a', { owner: 'w3', at: 3 }), 'delete'],
    ],
  ],
  [
    'cancels after the delete are done, whoever they name',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev1', 'a', { at: 1 }), 'delete'],
      [finish('ev1', { at: 2 }), 'record:cancelled'],
      [cancel('ev1', 'a', { at: 3 }), 'done'],
      [cancel('ev1', 'c', { at: 4 }), 'done'],
      [finish('ev1', { at: 5 }), 'record:cancelled'],
    ],
  ],
  [
    'reschedule, recreate mode: the old booking is superseded, the new one claimed with its link',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev1', 'a', { at: 1, finalStatus: 'superseded', supersededBy: NEW_B }), 'delete'],
      [finish('ev1', { at: 2 }), 'record:superseded'],
      [claim('ev2', 'b', { at: 3, reschedule: RECREATE_FROM_A }), 'claimed'],
      [commit('ev2', '85746065433', { at: 4 }), 'committed'],
    ],
  ],
  [
    'reschedule, move mode, cancel first: the meeting waits for the new booking, then moves',
    [
      [claim('ev1', 'a', { mode: 'move' }), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [rescheduledInMoveMode(), 'kept_for_move'],
      [claim('ev1', 'x', { owner: 'w2', at: 2 }), 'in_progress'],
      [claim('ev2', 'b', { owner: 'w3', at: 3, reschedule: MOVE_FROM_A }), 'move'],
      [commit('ev2', '85746065432', { owner: 'w3', at: 4 }), 'committed'],
    ],
  ],
  [
    'reschedule, move mode, create first: the new booking takes the meeting, the old cancel is done',
    [
      [claim('ev1', 'a', { mode: 'move' }), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [claim('ev2', 'b', { owner: 'w2', at: 1, reschedule: MOVE_FROM_A }), 'move'],
      [release('ev2', { owner: 'w2', at: 2 }), 'void'],
      [claim('ev2', 'b', { owner: 'w3', at: 3, reschedule: MOVE_FROM_A }), 'recover'],
      [commit('ev2', '85746065432', { owner: 'w3', at: 4 }), 'committed'],
      [
        cancel('ev1', 'a', {
          at: 5,
          finalStatus: 'superseded',
          supersededBy: NEW_B,
          mode: 'move',
        }),
        'done',
      ],
    ],
  ],
  [
    'move mode: an old booking still being deleted makes the move wait',
    [
      [claim('ev1', 'a', { mode: 'move' }), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev1', 'a', { at: 1 }), 'delete'],
      [claim('ev2', 'b', { owner: 'w2', at: 2, reschedule: MOVE_FROM_A }), 'in_progress'],
    ],
  ],
  [
    'move mode: an old group booking keeps its meeting and the new booking gets its own',
    [
      [claim('ev1', 'a', { mode: 'move' }), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [claim('ev1', 'c', { at: 1 }), 'exists+joined'],
      [claim('ev2', 'b', { owner: 'w2', at: 2, reschedule: MOVE_FROM_A }), 'claimed'],
    ],
  ],
  [
    'a meeting deleted for a reschedule (recreate mode) is not moved by a new half set to move',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev1', 'a', { at: 1, finalStatus: 'superseded', supersededBy: NEW_B }), 'delete'],
      [finish('ev1', { at: 2 }), 'record:superseded'],
      [claim('ev2', 'b', { owner: 'w2', at: 3, reschedule: MOVE_FROM_A }), 'claimed'],
    ],
  ],
  [
    'move mode: the new booking cancelled before its create abandons the waiting meeting',
    [
      [claim('ev1', 'a', { mode: 'move' }), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [rescheduledInMoveMode(), 'kept_for_move'],
      [cancel('ev2', 'b', { owner: 'w2', at: 2 }), 'tombstoned'],
      [claim('ev2', 'b', { owner: 'w3', at: 3, reschedule: MOVE_FROM_A }), 'abandon_move'],
      [claim('ev2', 'b', { owner: 'w4', at: 4, reschedule: MOVE_FROM_A }), 'in_progress'],
      [
        claim('ev2', 'b', { owner: 'w4', at: 3 + AFTER_LEASE, reschedule: MOVE_FROM_A }),
        'abandon_move',
      ],
      [finish('ev1', { owner: 'w4', at: 4 + AFTER_LEASE }), 'record:superseded'],
      [claim('ev2', 'b', { owner: 'w5', at: 5 + AFTER_LEASE, reschedule: MOVE_FROM_A }), 'refused'],
    ],
  ],
  [
    'move mode: a cancel keeps nothing for a new booking that already exists elsewhere',
    [
      [claim('ev1', 'a', { mode: 'move' }), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [cancel('ev2', 'b', { owner: 'w2', at: 1 }), 'tombstoned'],
      [
        cancel('ev1', 'a', {
          at: 2,
          finalStatus: 'superseded',
          supersededBy: NEW_B,
          mode: 'move',
        }),
        'delete',
      ],
      [finish('ev1', { at: 3 }), 'record:superseded'],
    ],
  ],
  [
    'a commit with no booking is lost',
    [
      [commit('ev9', '85746065432'), 'lost'],
      [cancel('ev1', 'a'), 'tombstoned'],
      [commit('ev1', '85746065432', { at: 1 }), 'lost'],
    ],
  ],
  [
    'a clean-up interrupted by a joining invitee leaves the booking to be created (finishCancel on creating)',
    [
      [claim('ev1', 'a'), 'claimed'],
      [cancel('ev1', 'a', { owner: 'w2', at: 1000 }), 'deferred'],
      [claim('ev1', 'b', { owner: 'w3', at: 2000 }), 'in_progress'],
      [finish('ev1', { at: 3000, zoomResult: 'deleted' }), 'record:creating'],
      [claim('ev1', 'b', { owner: 'w3', at: 4000 }), 'claimed'],
      [commit('ev1', '85746065433', { owner: 'w3', at: 5000 }), 'committed'],
    ],
  ],
  [
    'finishCancel of nothing, or of a live booking, changes nothing',
    [
      [finish('ev9'), 'null'],
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      [finish('ev1', { at: 1 }), 'record:active'],
    ],
  ],
  [
    'the audit trail keeps the 20 most recent entries',
    [
      [claim('ev1', 'a'), 'claimed'],
      [commit('ev1', '85746065432'), 'committed'],
      ...Array.from({ length: 25 }, (_, i): [Step, string] => [
        claim('ev1', `g${i}`, { at: i + 1 }),
        'exists+joined',
      ]),
    ],
  ],
];

describe('every transition behaves as the in-memory reference', () => {
  test.each(SCENARIOS)('%s', async (_name, steps) => {
    const diff = new Differential(upstashStore(undefined, undefined, DIFF_CHANNELS));
    for (const [step, expected] of steps) {
      expect(outcome(await diff.run(step))).toBe(expected);
    }
    await diff.expectSameList();
  });

  test('odd strings survive as they are, and empty ones read as false like in JavaScript', async () => {
    const diff = new Differential(upstashStore(undefined, undefined, DIFF_CHANNELS));
    const event = 'ev "quoted" \\ / *[glob]? ü 会議';
    const a = claim(event, 'a 🎉');
    a.input.owner = '';
    a.input.startTime = '';
    a.input.reschedule = { oldInviteeUri: '' };
    a.input.rescheduleMode = 'move';
    expect(outcome(await diff.run(a))).toBe('claimed');
    expect(outcome(await diff.run(commit(event, '0085746065432', { owner: '' })))).toBe(
      'committed',
    );
    const gone = cancel(event, 'a 🎉', { at: 1, finalStatus: 'superseded', mode: 'move' });
    // With no new booking named, nothing could take the meeting over: it is deleted, not kept.
    gone.input.supersededBy = '';
    expect(outcome(await diff.run(gone))).toBe('delete');
    expect(outcome(await diff.run(finish(event, { at: 2 })))).toBe('record:superseded');
    await diff.expectSameList();
  });

  test('the audit trail is bounded and holds the latest entries', async () => {
    const store = upstashStore();
    await store.claimCreate(claim('ev1', 'a').input);
    for (let i = 0; i < 30; i++) {
      await store.claimCreate(claim('ev1', `g${i}`, { at: i + 1 }).input);
    }
    const audit = (await store.get('ev1'))?.audit ?? [];
    expect(audit).toHaveLength(20);
    expect(audit.at(-1)).toEqual({
      at: T0 + 30,
      action: 'invitee_joined',
      detail: inviteeUri('ev1', 'g29'),
    });
  });
});

// ---- randomized: seeded operation sequences ---------------------------------------------------

const EVENTS = ['ev-a', 'ev-b', '12345678901'];
const INVITEES = EVENTS.flatMap((e) => [inviteeUri(e, 'i1'), inviteeUri(e, 'i2')]);
/** Reschedules link invitees of different events, both ways, so both halves can meet. */
const RESCHEDULED = new Map(
  [
    [inviteeUri('ev-a', 'i1'), inviteeUri('ev-b', 'i1')],
    [inviteeUri('ev-a', 'i2'), inviteeUri('12345678901', 'i1')],
    [inviteeUri('ev-b', 'i2'), inviteeUri('12345678901', 'i2')],
  ].flatMap(([x = '', y = '']): [string, string][] => [
    [x, y],
    [y, x],
  ]),
);
const OWNERS = ['w1', 'w2', 'w3'];
const MEETING_IDS = ['85746065432', '85746065433', '99999999999'];
const CLOCK_STEPS = [0, 1, 1000, LEASE - 1, LEASE, LEASE + 1];

type Op = Step['op'];
/** Which operation comes next, by the booking's status: what the lifecycle would plausibly send. */
const OP_WEIGHTS: Record<string, [Op, number][]> = {
  none: [
    ['claimCreate', 6],
    ['beginCancel', 3],
    ['commitCreate', 1],
  ],
  creating: [
    ['commitCreate', 35],
    ['claimCreate', 20],
    ['beginCancel', 20],
    ['finishCancel', 15],
    ['releaseLease', 10],
  ],
  active: [
    ['claimCreate', 35],
    ['beginCancel', 45],
    ['commitCreate', 10],
    ['finishCancel', 5],
    ['releaseLease', 5],
  ],
  cancelling: [
    ['finishCancel', 45],
    ['beginCancel', 20],
    ['claimCreate', 20],
    ['releaseLease', 10],
    ['commitCreate', 5],
  ],
  finished: [
    ['claimCreate', 5],
    ['beginCancel', 3],
    ['commitCreate', 1],
    ['finishCancel', 1],
  ],
};

/**
 * One random step against the reference's current state: operations, owners, meetings, invitees
 * and reschedule partners are mostly the plausible ones, so sequences reach deep states (moves,
 * abandoned moves, take-overs) instead of bouncing off refusals.
 */
async function randomStep(
  rand: () => number,
  clock: { now: number },
  reference: BookingStore,
): Promise<Step> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  clock.now += pick(CLOCK_STEPS);
  const event = pick(EVENTS);
  const current = await reference.get(event);
  const known = Object.keys(current?.invitees ?? {});
  const invitee =
    known.length > 0 && rand() < 0.5 ? pick(known) : inviteeUri(event, pick(['i1', 'i2']));
  const owner = current?.lease && rand() < 0.6 ? current.lease.owner : pick(OWNERS);
  // The delivery behind the step, as the lifecycle names it (tools name none).
  const via = pick([undefined, 'invitee.created', 'invitee.canceled'] as const);
  const base = { eventUuid: event, owner, now: clock.now, ...(via ? { via } : {}) };
  const partner = (): string | null => {
    const roll = rand();
    if (roll < 0.4) return null;
    if (roll < 0.9) return RESCHEDULED.get(invitee) ?? null;
    return pick(INVITEES.filter((uri) => !uri.includes(`/${event}/`)));
  };

  const status = !current
    ? 'none'
    : current.status === 'creating' ||
        current.status === 'active' ||
        current.status === 'cancelling'
      ? current.status
      : 'finished';
  const weights = OP_WEIGHTS[status] ?? [];
  let roll = rand() * weights.reduce((sum, [, w]) => sum + w, 0);
  const op = weights.find(([, w]) => (roll -= w) < 0)?.[0] ?? 'claimCreate';

  switch (op) {
    case 'claimCreate': {
      const old = partner();
      return {
        op,
        input: {
          ...base,
          eventUri: eventUri(event),
          inviteeUri: invitee,
          leaseMs: LEASE,
          startTime: pick(['2026-12-01T15:00:00Z', '2026-12-03T10:00:00Z']),
          durationMinutes: pick([30, 45]),
          reschedule: old === null ? null : { oldInviteeUri: old },
          rescheduleMode: rand() < 0.6 ? 'move' : 'recreate',
        },
      };
    }
    case 'commitCreate': {
      const id = current?.meeting && rand() < 0.5 ? current.meeting.id : pick(MEETING_IDS);
      const m = meeting(id);
      if (rand() < 0.3) Object.assign(m, { startUrl: null, password: null });
      return { op, input: { ...base, meeting: m } };
    }
    case 'beginCancel': {
      const supersededBy = partner();
      return {
        op,
        input: {
          ...base,
          eventUri: eventUri(event),
          inviteeUri: invitee,
          leaseMs: LEASE,
          finalStatus: supersededBy && rand() < 0.8 ? 'superseded' : 'cancelled',
          supersededBy,
          rescheduleMode: rand() < 0.6 ? 'move' : 'recreate',
        },
      };
    }
    case 'finishCancel':
      return {
        op,
        input: { ...base, zoomResult: pick(['deleted', 'already_gone', 'no_meeting'] as const) },
      };
    case 'releaseLease': {
      const attention =
        rand() < 0.3
          ? { reason: pick(['host_without_zoom_user', 'zoom_daily_limit'] as const), message: 'm' }
          : null;
      return { op, input: { ...base, certainNoMeeting: rand() < 0.5, attention } };
    }
  }
}

/** Finished bookings (and the index entries pointing at them) expire; nothing else does. */
async function expectRetention(
  storePrefix: string,
  events: readonly string[],
  invitees: readonly string[],
): Promise<void> {
  const keys = upstashKeys(storePrefix);
  for (const event of events) {
    const json = await raw.get(keys.booking(event));
    if (json === null) continue;
    const ttl = await raw.ttl(keys.booking(event));
    const finished = isFinished(JSON.parse(json) as BookingRecord);
    expect({ event, expires: ttl > 0 }).toEqual({ event, expires: finished });
    if (finished) expect(ttl).toBeLessThanOrEqual(RETENTION);
  }
  for (const invitee of invitees) {
    const event = await raw.get(keys.invitee(invitee));
    if (event === null) continue;
    const json = await raw.get(keys.booking(event));
    const finished = json === null || isFinished(JSON.parse(json) as BookingRecord);
    const ttl = await raw.ttl(keys.invitee(invitee));
    expect({ invitee, expires: ttl > 0 }).toEqual({ invitee, expires: finished });
  }
}

const SEQUENCES = 300;
const STEPS = 30;
const PER_TEST = 50;
// Sequences are independent (own prefix, own reference), so several share the client at once:
// its auto-pipelining then batches their requests, which keeps the suite fast.
const CONCURRENCY = 10;

/** One seeded sequence, compared step by step; a failure names the seed and replays its trace. */
async function runSequence(seed: number, client: Redis): Promise<void> {
  const seedPrefix = uniquePrefix(`upstash-store-seed-${seed}`);
  const rand = prng(seed);
  const diff = new Differential(upstashStore(client, seedPrefix, DIFF_CHANNELS));
  const clock = { now: T0 };
  const trace: string[] = [];
  try {
    for (let i = 0; i < STEPS; i++) {
      const step = await randomStep(rand, clock, diff.memory);
      trace.push(`${step.op} ${JSON.stringify(step.input)}`);
      trace.push(`  -> ${outcome(await diff.run(step))}`);
    }
    await diff.expectSameList();
    await expectRetention(seedPrefix, EVENTS, INVITEES);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`seed ${seed} failed:\n${trace.join('\n')}\n\n${message}`);
  } finally {
    await deleteKeysByPrefix(raw, seedPrefix);
  }
}

describe.each([
  ['production client defaults', {}, SEQUENCES],
  ['automaticDeserialization off', { automaticDeserialization: false }, PER_TEST],
] as const)('random operation sequences (%s)', (_label, clientOptions, sequences) => {
  const firstSeeds = Array.from({ length: sequences / PER_TEST }, (_, i) => i * PER_TEST + 1);
  test.each(firstSeeds)(
    `seeds %d.. (${PER_TEST} sequences of ${STEPS} steps) match the reference after every step`,
    async (firstSeed) => {
      const client = upstashClient(bridge, clientOptions);
      for (let chunk = firstSeed; chunk < firstSeed + PER_TEST; chunk += CONCURRENCY) {
        const seeds = Array.from({ length: CONCURRENCY }, (_, i) => chunk + i);
        await Promise.all(seeds.map((seed) => runSequence(seed, client)));
      }
    },
    60_000,
  );
});

// ---- the adapter itself ------------------------------------------------------------------------

async function ttl(key: string): Promise<number> {
  return raw.ttl(key);
}

/**
 * A client that counts the script commands it sends. (jest.spyOn cannot see them: with
 * auto-pipelining the client is a Proxy that hands out a new function on every access.)
 */
function countingScripts(client: Redis): {
  client: Redis;
  sent: { eval: number; evalsha: number };
} {
  const sent = { eval: 0, evalsha: 0 };
  const counted = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if ((property !== 'eval' && property !== 'evalsha') || typeof value !== 'function') {
        return value;
      }
      return (...args: unknown[]): unknown => {
        sent[property]++;
        return (value as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { client: counted, sent };
}

describe('round trips', () => {
  test('each transition and each read is one HTTP request: EVALSHA, plus EVAL only after NOSCRIPT', async () => {
    const { client, sent } = countingScripts(upstashClient(bridge));
    const store = upstashStore(client);
    const calls: [string, () => Promise<unknown>, scripted: boolean][] = [
      ...[
        claim('ev1', 'a'),
        commit('ev1', '85746065432'),
        cancel('ev1', 'a', { at: 1 }),
        finish('ev1', { at: 2 }),
        claim('ev2', 'b'),
        release('ev2', { at: 1 }),
      ].map((step): [string, () => Promise<unknown>, boolean] => [
        step.op,
        () => perform(store, step),
        true,
      ]),
      ['findByInvitee', () => store.findByInvitee(inviteeUri('ev1', 'a')), true],
      ['get', () => store.get('ev1'), false],
    ];
    for (const [name, call, scripted] of calls) {
      const before = { ...bridge.stats, ...sent };
      await call();
      // Other suites may SCRIPT FLUSH at any moment: the EVAL fallback is what that costs.
      const reloaded = sent.eval - before.eval;
      expect({ name, evalsha: sent.evalsha - before.evalsha, reloaded: reloaded <= 1 }).toEqual({
        name,
        evalsha: scripted ? 1 : 0,
        reloaded: true,
      });
      expect({ name, requests: bridge.stats.requests - before.requests }).toEqual({
        name,
        requests: 1 + reloaded,
      });
      expect(bridge.stats.commands - before.commands).toBe(1 + reloaded);
    }
  });

  test('a script flushed from the server is sent once more (NOSCRIPT -> EVAL) and cached again', async () => {
    const { client, sent } = countingScripts(upstashClient(bridge));
    const store = upstashStore(client);
    await store.claimCreate(claim('ev1', 'a').input);

    await raw.script('FLUSH');
    const before = { requests: bridge.stats.requests, ...sent };
    const result = await store.claimCreate(claim('ev1', 'b', { at: 1 }).input);

    expect(result.type).toBe('in_progress');
    expect({ evalsha: sent.evalsha - before.evalsha, eval: sent.eval - before.eval }).toEqual({
      evalsha: 1,
      eval: 1,
    });
    expect(bridge.stats.requests - before.requests).toBe(2);
    expect(await raw.script('EXISTS', storeScripts().claimCreate.sha1)).toEqual([1]);
  });

  test('one booking claimed by many workers at once has exactly one winner', async () => {
    const store = upstashStore();
    const workers = Array.from({ length: 20 }, (_, i) => `w${i}`);
    // A client each, so the claims travel as separate requests and race on the server.
    const results = await Promise.all(
      workers.map((owner) =>
        upstashStore(upstashClient(bridge)).claimCreate(claim('ev1', 'a', { owner }).input),
      ),
    );
    const types = results.map((r) => r.type).sort();
    expect(types).toEqual(['claimed', ...Array<string>(19).fill('in_progress')]);
    const winner = results.find((r) => r.type === 'claimed');
    expect((await store.get('ev1'))?.lease?.owner).toBe(winner?.record.lease?.owner);
  });
});

describe('keys and retention', () => {
  test('every key lives under the prefix: one booking document and one index entry per invitee', async () => {
    const store = upstashStore();
    await store.claimCreate(claim('ev1', 'a').input);
    await store.claimCreate(claim('ev1', 'b', { at: 1 }).input);
    await store.beginCancel(cancel('ev2', 'c').input);

    const keys = upstashKeys(prefix);
    const stored = await raw.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
    expect(stored.sort()).toEqual(
      [
        keys.booking('ev1'),
        keys.booking('ev2'),
        keys.invitee(inviteeUri('ev1', 'a')),
        keys.invitee(inviteeUri('ev1', 'b')),
        keys.invitee(inviteeUri('ev2', 'c')),
      ].sort(),
    );
    expect(keys.booking('ev1')).toBe(`${prefix}booking:ev1`);
    expect(await raw.get(keys.invitee(inviteeUri('ev1', 'a')))).toBe('ev1');
  });

  test('finished bookings and their index entries expire; live and reopened ones never do', async () => {
    const store = upstashStore();
    const keys = upstashKeys(prefix);
    const booking = keys.booking('ev1');
    const indexA = keys.invitee(inviteeUri('ev1', 'a'));

    await store.claimCreate(claim('ev1', 'a').input);
    await store.commitCreate(commit('ev1', '85746065432').input);
    await store.beginCancel(cancel('ev1', 'a', { at: 1 }).input);
    expect([await ttl(booking), await ttl(indexA)]).toEqual([-1, -1]);

    expect((await store.finishCancel(finish('ev1', { at: 2 }).input))?.status).toBe('cancelled');
    expect(await ttl(booking)).toBeGreaterThan(RETENTION - 5);
    expect(await ttl(booking)).toBeLessThanOrEqual(RETENTION);
    expect(await ttl(indexA)).toBeGreaterThan(RETENTION - 5);

    // A new invitee on the finished event reopens it: nothing of it may expire any more.
    const reopened = await store.claimCreate(claim('ev1', 'c', { at: 3 }).input);
    expect(reopened.type).toBe('claimed');
    const indexC = keys.invitee(inviteeUri('ev1', 'c'));
    expect([await ttl(booking), await ttl(indexA), await ttl(indexC)]).toEqual([-1, -1, -1]);
  });

  test('a tombstone expires with its index entry, even when a late create only reads it', async () => {
    const store = upstashStore();
    const keys = upstashKeys(prefix);
    await store.beginCancel(cancel('ev1', 'a').input);
    expect(await ttl(keys.booking('ev1'))).toBeGreaterThan(RETENTION - 5);

    expect((await store.claimCreate(claim('ev1', 'a', { at: 1 }).input)).type).toBe('refused');
    expect(await ttl(keys.invitee(inviteeUri('ev1', 'a')))).toBeGreaterThan(RETENTION - 5);
  });

  test('a meeting kept for a move does not expire until it has moved', async () => {
    const store = upstashStore();
    const keys = upstashKeys(prefix);
    await store.claimCreate(claim('ev1', 'a', { mode: 'move' }).input);
    await store.commitCreate(commit('ev1', '85746065432').input);
    const kept = rescheduledInMoveMode();
    expect((await store.beginCancel(kept.input)).type).toBe('kept_for_move');
    expect(await ttl(keys.booking('ev1'))).toBe(-1);

    const moved = claim('ev2', 'b', { at: 2, reschedule: MOVE_FROM_A });
    expect((await store.claimCreate(moved.input)).type).toBe('move');
    expect(await ttl(keys.booking('ev1'))).toBeGreaterThan(RETENTION - 5);
    expect(await ttl(keys.booking('ev2'))).toBe(-1);
  });

  test('retention defaults to 90 days and must be a positive number of seconds', async () => {
    const store = createUpstashBookingStore({ redis: upstashClient(bridge), prefix });
    await store.beginCancel(cancel('ev1', 'a').input);
    expect(await ttl(upstashKeys(prefix).booking('ev1'))).toBeGreaterThan(90 * 24 * 3600 - 5);

    for (const retentionSeconds of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        createUpstashBookingStore({ redis: upstashClient(bridge), retentionSeconds }),
      ).toThrow(/retentionSeconds must be a positive integer/);
    }
  });

  test('list() sees only its own prefix, even one holding glob characters', async () => {
    const star = createUpstashBookingStore({
      redis: upstashClient(bridge),
      prefix: `${prefix}a*:`,
    });
    const plain = createUpstashBookingStore({
      redis: upstashClient(bridge),
      prefix: `${prefix}ab:`,
    });
    await star.beginCancel(cancel('ev-star', 'a').input);
    await plain.beginCancel(cancel('ev-plain', 'a').input);

    const listed: string[] = [];
    for await (const record of star.list()) listed.push(record.eventUuid);
    expect(listed).toEqual(['ev-star']);
  });

  test('list() pages through many bookings', async () => {
    const store = upstashStore();
    const events = Array.from({ length: 450 }, (_, i) => `ev${i}`);
    await Promise.all(events.map((e) => store.beginCancel(cancel(e, 'a').input)));
    const listed: string[] = [];
    for await (const record of store.list()) listed.push(record.eventUuid);
    expect(listed.sort()).toEqual([...events].sort());
  });
});

describe('ids stay strings', () => {
  test.each([
    ['production client defaults', {}],
    ['automaticDeserialization off', { automaticDeserialization: false }],
  ] as const)(
    'numeric-looking event UUIDs and 11-digit meeting ids (%s)',
    async (_label, options) => {
      const store = upstashStore(upstashClient(bridge, options));
      const event = '12345678901';
      const invitee = inviteeUri(event, '98765432109');
      const claimed = await store.claimCreate({
        ...claim(event, '98765432109').input,
      });
      const committed = await store.commitCreate(commit(event, '85746065432').input);
      const listed: BookingRecord[] = [];
      for await (const record of store.list()) listed.push(record);

      for (const record of [
        claimed.record,
        committed.record,
        await store.get(event),
        await store.findByInvitee(invitee),
        ...listed,
      ]) {
        expect(record?.eventUuid).toBe('12345678901');
        expect(record?.invitees).toEqual({ [invitee]: 'active' });
      }
      expect((await store.get(event))?.meeting?.id).toBe('85746065432');
      expect((await store.findByInvitee(invitee))?.meeting?.id).toBe('85746065432');
      expect(committed.record?.meeting?.id).toBe('85746065432');
      expect(await raw.get(upstashKeys(prefix).booking(event))).toContain('"id":"85746065432"');
    },
  );

  test('a foreign value under a booking key is a StoreError, not a half-read record', async () => {
    const store = upstashStore();
    const key = upstashKeys(prefix).booking('ev1');
    for (const value of [
      'not json',
      '{"hello":"world"}',
      '{"eventUuid":"ev1","status":"active","invitees":{},"audit":[],"meeting":{"id":85746065432}}',
    ]) {
      await raw.set(key, value);
      await expect(store.get('ev1')).rejects.toBeInstanceOf(StoreError);
    }
  });
});

describe('failures', () => {
  const SECRET_START_URL = 'https://zoom.us/s/85746065432?zak=host-secret-85746065432';

  test('every call fails with StoreError while Upstash is down, and works once it is back', async () => {
    const store = upstashStore();
    bridge.setDown(true);
    const attempts: [string, () => Promise<unknown>][] = [
      ['get', () => store.get('ev1')],
      ['findByInvitee', () => store.findByInvitee(inviteeUri('ev1', 'a'))],
      ['claimCreate', () => perform(store, claim('ev1', 'a'))],
      ['commitCreate', () => perform(store, commit('ev1', '85746065432'))],
      ['beginCancel', () => perform(store, cancel('ev1', 'a'))],
      ['finishCancel', () => perform(store, finish('ev1'))],
      ['releaseLease', () => perform(store, release('ev1'))],
      ['ping', () => store.ping()],
      [
        'list',
        async () => {
          for await (const record of store.list()) void record;
        },
      ],
    ];
    for (const [name, attempt] of attempts) {
      const error = await attempt().then(
        () => new Error(`${name} succeeded`),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      const { message, cause } = error as StoreError;
      expect(message).toMatch(new RegExp(`^Upstash store: ${name} failed: `));
      expect(cause).toBeInstanceOf(Error);
      for (const text of [message, String(cause), (cause as Error).stack ?? '']) {
        expect(text).not.toContain(bridge.token);
        expect(text).not.toContain(SECRET_START_URL);
      }
    }

    bridge.setDown(false);
    await expect(store.ping()).resolves.toBeUndefined();
    expect((await store.claimCreate(claim('ev1', 'a').input)).type).toBe('claimed');
  });

  test('a network failure (connection reset) is a StoreError too', async () => {
    const store = upstashStore(upstashClient(bridge, { retry: false }));
    bridge.setDown(true, 'reset');
    await expect(store.claimCreate(claim('ev1', 'a').input)).rejects.toThrow(StoreError);
  });

  test('a wrong token is a StoreError that does not repeat the token', async () => {
    const store = createUpstashBookingStore({ url: bridge.url, token: 'wrong-token-123', prefix });
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/WRONGPASS/);
    expect((error as Error).message).not.toContain('wrong-token-123');
  });
});

describe('construction', () => {
  test('from {url, token, prefix} in one line', async () => {
    const store = createUpstashBookingStore({ url: bridge.url, token: bridge.token, prefix });
    await expect(store.ping()).resolves.toBeUndefined();
    expect((await store.claimCreate(claim('ev1', 'a').input)).type).toBe('claimed');
    expect((await store.get('ev1'))?.status).toBe('creating');
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('the lifecycle engine on Upstash', () => {
  const SIM_SEEDS = 40;

  test.each(['recreate', 'move'] as const)(
    `randomized deliveries (%s mode, ${SIM_SEEDS} seeds) leave one meeting per active booking`,
    async (mode) => {
      const client = upstashClient(bridge);
      const failures: string[] = [];
      for (let seed = 1; seed <= SIM_SEEDS; seed++) {
        const seedPrefix = uniquePrefix(`upstash-store-sim-${seed}`);
        try {
          const result = await simulate(seed, mode, undefined, upstashStore(client, seedPrefix));
          if (result.problems.length > 0)
            failures.push(`seed ${seed}: ${result.problems.join('; ')}`);
        } finally {
          await deleteKeysByPrefix(raw, seedPrefix);
        }
      }
      expect(failures).toEqual([]);
    },
    60_000,
  );
});
