import type { InviteeEvent } from '../../src/calendly/invitee-event';
import { meetingMarker } from '../../src/lifecycle';
import type { BookingStore } from '../../src/store/booking-store';
import { StoreError } from '../../src/store/errors';
import type { ZoomFault, ZoomOp } from './fake-zoom';
import { canceled, created, inviteeUri } from './invitee-events';
import { harness, type Harness } from './lifecycle-harness';

/** Deterministic PRNG (mulberry32): a failing seed replays exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  deliveries: InviteeEvent[];
  /** Scheduled event UUID -> should it have a live meeting once everything is delivered? */
  expectActive: Map<string, boolean>;
}

/** Random bookings, group joins, cancellations and reschedules (both halves), as Calendly sends. */
export function scenario(rand: () => number): Scenario {
  const deliveries: InviteeEvent[] = [];
  const activeInvitees = new Map<string, Set<string>>();
  const bookings = 2 + Math.floor(rand() * 5);
  let n = 0;
  for (let b = 0; b < bookings; b++) {
    const event = `ev${b}`;
    const group = rand() < 0.25 ? 2 + Math.floor(rand() * 2) : 1;
    const invitees = new Set<string>();
    activeInvitees.set(event, invitees);
    for (let i = 0; i < group; i++) {
      const invitee = `inv${b}-${i}`;
      invitees.add(invitee);
      deliveries.push(created({ event, invitee }));
      const fate = rand();
      if (fate < 0.3) {
        deliveries.push(canceled({ event, invitee }));
        invitees.delete(invitee);
      } else if (fate < 0.55 && group === 1) {
        // Reschedule to a new scheduled event, sometimes cancelled again afterwards.
        const newEvent = `ev${b}-r${n++}`;
        const newInvitee = `${invitee}-r`;
        deliveries.push(
          canceled({
            event,
            invitee,
            rescheduled: true,
            newInvitee: inviteeUri(newEvent, newInvitee),
          }),
          created({
            event: newEvent,
            invitee: newInvitee,
            start: '2026-12-03T10:00:00Z',
            oldInvitee: inviteeUri(event, invitee),
          }),
        );
        invitees.delete(invitee);
        const moved = new Set([newInvitee]);
        activeInvitees.set(newEvent, moved);
        if (rand() < 0.2) {
          deliveries.push(canceled({ event: newEvent, invitee: newInvitee }));
          moved.delete(newInvitee);
        }
      }
    }
  }
  // Calendly retries and replays: about one delivery in five arrives twice.
  for (const d of [...deliveries]) if (rand() < 0.2) deliveries.push(d);
  const expectActive = new Map([...activeInvitees].map(([e, set]) => [e, set.size > 0]));
  return { deliveries, expectActive };
}

/** Store whose calls fail at random, as a crash or an outage between two steps would. */
function flakyStore(inner: BookingStore, rand: () => number, rate: () => number): BookingStore {
  const fail = <T>(call: () => Promise<T>, after: boolean): Promise<T> => {
    if (!after && rand() < rate()) return Promise.reject(new StoreError('store unreachable'));
    return call().then((value) => {
      // The write landed but the answer was lost: the caller cannot tell it apart from a failure.
      if (after && rand() < rate() / 2) throw new StoreError('connection reset');
      return value;
    });
  };
  return {
    get: (u) => fail(() => inner.get(u), false),
    findByInvitee: (u) => fail(() => inner.findByInvitee(u), false),
    claimCreate: (i) => fail(() => inner.claimCreate(i), rand() < 0.5),
    commitCreate: (i) => fail(() => inner.commitCreate(i), rand() < 0.5),
    beginCancel: (i) => fail(() => inner.beginCancel(i), rand() < 0.5),
    finishCancel: (i) => fail(() => inner.finishCancel(i), rand() < 0.5),
    releaseLease: (i) => fail(() => inner.releaseLease(i), false),
    forgetMeeting: (i) => fail(() => inner.forgetMeeting(i), rand() < 0.5),
    expirePendingMove: (i) => fail(() => inner.expirePendingMove(i), rand() < 0.5),
    list: () => inner.list(),
    ping: () => inner.ping(),
    probe: () => inner.probe(),
    outbox: inner.outbox,
    close: () => inner.close(),
  };
}

export interface SimResult {
  problems: string[];
  deliveries: number;
  attempts: number;
}

/**
 * Delivers the scenario like Calendly: concurrently, in any order, redelivering whatever was not
 * acknowledged, with Zoom and store faults, until every delivery is acknowledged. Then checks
 * that Zoom holds exactly one meeting per active booking and nothing else.
 */
export async function simulate(
  seed: number,
  mode: 'recreate' | 'move',
  trace: (line: string) => void = () => {},
  innerStore?: BookingStore,
): Promise<SimResult> {
  const rand = prng(seed);
  const { deliveries, expectActive } = scenario(rand);
  let faultRate = 0.15;
  const base = harness({ config: { reschedule: mode }, store: innerStore });
  const store = flakyStore(base.store, rand, () => faultRate);
  const h: Harness = harness({ config: { reschedule: mode }, store, zoom: base.zoom });
  h.zoom.faultPicker = (op: ZoomOp): ZoomFault | null => {
    if (rand() >= faultRate) return null;
    const faults: ZoomFault[] =
      op === 'create' || op === 'delete'
        ? ['rate_limit', 'server_error', 'timeout', 'after_create_timeout']
        : ['rate_limit', 'server_error', 'timeout'];
    return faults[Math.floor(rand() * faults.length)] ?? null;
  };

  const pending = [...deliveries];
  let attempts = 0;
  for (let round = 0; pending.length > 0; round++) {
    if (round > 200) {
      return {
        problems: [`never drained: ${pending.length} deliveries left`],
        deliveries: deliveries.length,
        attempts,
      };
    }
    // Calm down after a while, as outages end: every delivery must get through eventually.
    if (round === 20) faultRate = 0;
    shuffle(pending, rand);
    const batch = pending.splice(0, 1 + Math.floor(rand() * 4));
    const results = await Promise.all(
      batch.map(async (d) => {
        attempts++;
        try {
          const out = await h.handle(d);
          trace(`${d.kind} ${d.inviteeUuid}@${d.eventUuid} -> ${out.outcome}`);
          return out.retryLater ? d : null;
        } catch (error) {
          trace(`${d.kind} ${d.inviteeUuid}@${d.eventUuid} !! ${String(error)}`);
          return d;
        }
      }),
    );
    pending.push(...results.filter((d): d is InviteeEvent => d !== null));
    // Time passes between retries; sometimes long enough for a dead worker's lease to run out.
    h.clock.advance(rand() < 0.3 ? h.deps.config.leaseMs + 1 : 1000);
  }

  const problems: string[] = [];
  const live = h.zoom.liveMeetings();
  for (const [eventUuid, active] of expectActive) {
    const marker = meetingMarker(`https://api.calendly.com/scheduled_events/${eventUuid}`);
    const meetings = live.filter((m) => (m.agenda ?? '').includes(marker));
    const record = await base.store.get(eventUuid);
    if (active) {
      if (meetings.length !== 1)
        problems.push(`${eventUuid}: ${meetings.length} live meetings, want 1`);
      if (record?.status !== 'active')
        problems.push(`${eventUuid}: record ${record?.status}, want active`);
      else if (record.meeting?.id !== meetings[0]?.id)
        problems.push(`${eventUuid}: record points at another meeting`);
    } else {
      if (meetings.length !== 0) problems.push(`${eventUuid}: ${meetings.length} ghost meetings`);
      if (record && !['cancelled', 'superseded', 'tombstoned'].includes(record.status)) {
        problems.push(`${eventUuid}: record ${record.status}, want finished`);
      }
    }
  }
  const wanted = [...expectActive.values()].filter(Boolean).length;
  if (live.length !== wanted) problems.push(`${live.length} live meetings in Zoom, want ${wanted}`);
  return { problems, deliveries: deliveries.length, attempts };
}

function shuffle<T>(items: T[], rand: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
