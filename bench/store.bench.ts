// What does a booking store call cost on Upstash? Each transition is a single Lua script call, so it
// should cost about one REST round trip. Targets: median latency of every store call <= 2x the
// median of a bare PING through the same client and bridge, and exactly one HTTP request per call.
// Runs the real @upstash/redis client against the local redis-server through the test bridge
// (test/support/upstash-bridge.ts), so a redis-server must listen on 127.0.0.1:6379.

import { randomBytes } from 'node:crypto';
import { Redis } from '@upstash/redis';
import type { BookingStore } from '../src/store/booking-store';
import { createUpstashBookingStore } from '../src/store/upstash';
import { deleteKeysByPrefix, rawRedis } from '../test/support/redis-test-env';
import { startUpstashBridge } from '../test/support/upstash-bridge';
import type { BenchResult } from './run';
import { micros, percentile } from './stats';

export interface StoreBenchOptions {
  /** Bookings taken through their lifecycle; each call is timed once per booking. */
  bookings?: number;
  /** Untimed bookings first, so scripts are cached and connections warm. */
  warmup?: number;
}

const MAX_RATIO_TO_PING = 2;
const LEASE_MS = 60_000;

type Operation =
  | 'ping'
  | 'claimCreate'
  | 'commitCreate'
  | 'get'
  | 'findByInvitee'
  | 'beginCancel'
  | 'finishCancel'
  | 'releaseLease';

interface Sample {
  ns: number;
  requests: number;
}

export async function storeBench(options: StoreBenchOptions = {}): Promise<BenchResult> {
  const bookings = options.bookings ?? 300;
  const warmup = options.warmup ?? 30;
  const bridge = await startUpstashBridge();
  const raw = rawRedis();
  const prefix = `bench:store:${randomBytes(6).toString('hex')}:`;
  try {
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false });
    const store = createUpstashBookingStore({ redis, prefix });
    const samples = new Map<Operation, Sample[]>();
    for (let i = 0; i < warmup + bookings; i++) {
      const timed = await oneBooking(store, redis, i, () => bridge.stats.requests);
      if (i < warmup) continue;
      for (const [op, sample] of timed) samples.set(op, [...(samples.get(op) ?? []), sample]);
    }

    const metrics: Record<string, number> = {};
    const targets: BenchResult['targets'] = {};
    const median = (op: Operation): number =>
      percentile(
        (samples.get(op) ?? []).map((s) => s.ns),
        50,
      );
    const pingNs = median('ping');
    let requests = 0;
    let calls = 0;
    for (const [op, list] of samples) {
      const ns = list.map((s) => s.ns);
      metrics[`${op}_median_us`] = micros(percentile(ns, 50));
      metrics[`${op}_p99_us`] = micros(percentile(ns, 99));
      if (op === 'ping') continue;
      metrics[`${op}_vs_ping`] = Math.round((median(op) / pingNs) * 1000) / 1000;
      targets[`${op}_vs_ping`] = { max: MAX_RATIO_TO_PING };
      requests += list.reduce((sum, s) => sum + s.requests, 0);
      calls += list.length;
    }
    metrics.http_requests_per_call = Math.round((requests / calls) * 1000) / 1000;
    targets.http_requests_per_call = { max: 1 };

    // NaN (no samples) fails both comparisons, so a bench that measured nothing does not pass.
    const pass = Object.entries(targets).every(([metric, { min = -Infinity, max = Infinity }]) => {
      const value = metrics[metric] ?? NaN;
      return value >= min && value <= max;
    });
    return { name: 'upstash-store (bridge)', metrics, targets, pass };
  } finally {
    await deleteKeysByPrefix(raw, prefix);
    await raw.quit();
    await bridge.close();
  }
}

/**
 * One booking through the common path (claim, commit, reads, cancel, delete done) and one create
 * that Zoom refused (claim, release), timing each call and counting the HTTP requests it made.
 */
async function oneBooking(
  store: BookingStore,
  redis: Redis,
  i: number,
  bridgeRequests: () => number,
): Promise<[Operation, Sample][]> {
  const now = Date.now();
  const owner = `worker-${i}`;
  const eventUuid = `ev-${i}`;
  const refused = `ev-refused-${i}`;
  const inviteeUri = `https://api.calendly.com/scheduled_events/${eventUuid}/invitees/inv-${i}`;
  const claim = (uuid: string, invitee: string) => ({
    eventUuid: uuid,
    eventUri: `https://api.calendly.com/scheduled_events/${uuid}`,
    inviteeUri: invitee,
    owner,
    now,
    leaseMs: LEASE_MS,
    startTime: '2026-12-01T15:00:00Z',
    durationMinutes: 30,
    reschedule: null,
    rescheduleMode: 'recreate' as const,
  });
  const id = String(85_746_000_000 + i);
  const meeting = {
    id,
    joinUrl: `https://zoom.us/j/${id}`,
    startUrl: `https://zoom.us/s/${id}?zak=secret`,
    password: 'abc123',
    host: 'host@example.com',
  };
  await store.claimCreate(claim(refused, `${inviteeUri}-refused`));

  const calls: [Operation, () => Promise<unknown>][] = [
    ['ping', () => redis.ping()],
    ['claimCreate', () => store.claimCreate(claim(eventUuid, inviteeUri))],
    ['commitCreate', () => store.commitCreate({ eventUuid, owner, now, meeting })],
    ['get', () => store.get(eventUuid)],
    ['findByInvitee', () => store.findByInvitee(inviteeUri)],
    [
      'beginCancel',
      () =>
        store.beginCancel({
          ...claim(eventUuid, inviteeUri),
          finalStatus: 'cancelled',
          supersededBy: null,
          rescheduleMode: 'recreate',
        }),
    ],
    ['finishCancel', () => store.finishCancel({ eventUuid, owner, now, zoomResult: 'deleted' })],
    [
      'releaseLease',
      () => store.releaseLease({ eventUuid: refused, owner, now, certainNoMeeting: true }),
    ],
  ];
  const timed: [Operation, Sample][] = [];
  for (const [op, call] of calls) {
    const before = bridgeRequests();
    const start = process.hrtime.bigint();
    await call();
    const ns = Number(process.hrtime.bigint() - start);
    timed.push([op, { ns, requests: bridgeRequests() - before }]);
  }
  return timed;
}
