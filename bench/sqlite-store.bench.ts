// What does a booking store call cost on the embedded SQLite store (the receiver's default)? Each
// transition is one IMMEDIATE transaction on a WAL file, so the cost is the write and its fsync
// policy. Reported per call, median and p99 over whole booking lifecycles; no target is set: the
// figure is there to compare with Upstash's network round trip.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBookingStore } from '../src/store/sqlite';
import type { BenchResult } from './run';
import { micros, percentile, timed } from './stats';

const BOOKINGS = 2000;

export async function sqliteStoreBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-'));
  const store = new SqliteBookingStore({ path: join(dir, 'bench.db') });
  const samples: Record<'claimCreate' | 'commitCreate' | 'beginCancel' | 'finishCancel', number[]> =
    {
      claimCreate: [],
      commitCreate: [],
      beginCancel: [],
      finishCancel: [],
    };
  try {
    const now = Date.now();
    for (let i = 0; i < BOOKINGS; i++) {
      const eventUuid = `bench-${i}`;
      const eventUri = `https://api.calendly.com/scheduled_events/${eventUuid}`;
      const inviteeUri = `${eventUri}/invitees/i`;
      const owner = `w${i}`;
      samples.claimCreate.push(
        await timed(() =>
          store.claimCreate({
            eventUuid,
            eventUri,
            inviteeUri,
            owner,
            now,
            leaseMs: 60_000,
            startTime: '2026-12-01T15:00:00Z',
            durationMinutes: 30,
            reschedule: null,
            rescheduleMode: 'recreate',
          }),
        ),
      );
      samples.commitCreate.push(
        await timed(() =>
          store.commitCreate({
            eventUuid,
            owner,
            now,
            meeting: {
              id: String(90_000_000_000 + i),
              joinUrl: 'j',
              startUrl: 's',
              password: null,
              host: 'h',
            },
          }),
        ),
      );
      samples.beginCancel.push(
        await timed(() =>
          store.beginCancel({
            eventUuid,
            eventUri,
            inviteeUri,
            owner: `c${i}`,
            now,
            leaseMs: 60_000,
            finalStatus: 'cancelled',
            supersededBy: null,
            rescheduleMode: 'recreate',
          }),
        ),
      );
      samples.finishCancel.push(
        await timed(() =>
          store.finishCancel({ eventUuid, owner: `c${i}`, now, zoomResult: 'deleted' }),
        ),
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const metrics: Record<string, number> = {};
  for (const [op, values] of Object.entries(samples)) {
    metrics[`${op}_median_us`] = micros(percentile(values, 50));
    metrics[`${op}_p99_us`] = micros(percentile(values, 99));
  }
  return { name: 'sqlite-store (file, WAL)', metrics, targets: {}, pass: true };
}
