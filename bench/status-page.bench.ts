// What does a status page load cost when the store is big? The overview and a lookup by email or
// meeting id read every record (the store keeps no index of them): this measures that pass, and
// the page's HTML, over a SQLite store of 10,000 bookings with full histories — months of a busy
// receiver (finished bookings are kept 90 days). Median and p95 of 15 loads.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBookings } from '../src/bookings/find-bookings';
import { summariseOperations } from '../src/bookings/operations-summary';
import { page } from '../src/server/status/page-layout';
import { renderOverview } from '../src/server/status/render-overview';
import { SqliteBookingStore } from '../src/store/sqlite';
import type { BenchResult } from './run';
import { millis, percentile, timed } from './stats';

const BOOKINGS = 10_000;
const LOADS = 15;

export async function statusPageBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-status-'));
  const store = new SqliteBookingStore({ path: join(dir, 'status.db') });
  try {
    await fill(store);
    // Nanoseconds each; the table shows milliseconds.
    const overview: number[] = [];
    const lookup: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      overview.push(
        await timed(async () => {
          const now = Date.now();
          const summary = await summariseOperations(store, now);
          const subscription = { kind: 'not_configured', reason: 'bench' } as const;
          const body = renderOverview({
            summary,
            outbox: null,
            subscription,
            storeKind: 'sqlite',
            now,
          });
          return page({ title: 'Status', sandbox: false, signedIn: true, body }).text.length;
        }),
      );
      lookup.push(
        await timed(() =>
          findBookings(store, { by: 'email', email: `invitee-${i * 97}@example.com` }),
        ),
      );
    }
    const metrics = {
      overviewMedianMs: millis(percentile(overview, 50)),
      overviewP95Ms: millis(percentile(overview, 95)),
      lookupByEmailMedianMs: millis(percentile(lookup, 50)),
    };
    return {
      name: 'status page (SQLite, 10,000 bookings)',
      metrics,
      // A page a person waits for: well under a second on the CI machine (2 cores).
      targets: { overviewMedianMs: { max: 1000 }, lookupByEmailMedianMs: { max: 1000 } },
      pass: metrics.overviewMedianMs <= 1000 && metrics.lookupByEmailMedianMs <= 1000,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each booking created and, one in three, cancelled: the history a real receiver writes. */
async function fill(store: SqliteBookingStore): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < BOOKINGS; i++) {
    const eventUuid = `bench-${i}`;
    const eventUri = `https://api.calendly.com/scheduled_events/${eventUuid}`;
    const inviteeUri = `${eventUri}/invitees/i${i}`;
    const context = {
      eventUri,
      eventUuid,
      inviteeUri,
      eventName: '30 Minute Consultation',
      hostEmail: 'host@example.com',
      invitee: { name: `Invitee ${i}`, email: `invitee-${i}@example.com`, timezone: 'UTC' },
      startTime: '2026-12-01T15:00:00Z',
      endTime: '2026-12-01T15:30:00Z',
    };
    const at = now - (BOOKINGS - i) * 60_000;
    const lease = { eventUuid, owner: `w${i}`, context, via: 'invitee.created' as const };
    await store.claimCreate({
      ...lease,
      eventUri,
      inviteeUri,
      now: at,
      leaseMs: 60_000,
      startTime: context.startTime,
      durationMinutes: 30,
      reschedule: null,
      rescheduleMode: 'recreate',
    });
    await store.commitCreate({
      ...lease,
      now: at + 1,
      meeting: {
        id: String(90_000_000_000 + i),
        joinUrl: `https://zoom.us/j/${90_000_000_000 + i}`,
        startUrl: null,
        password: null,
        host: 'host@example.com',
      },
    });
    if (i % 3 === 0) {
      const cancel = { ...lease, owner: `c${i}`, via: 'invitee.canceled' as const };
      await store.beginCancel({
        ...cancel,
        eventUri,
        inviteeUri,
        now: at + 2,
        leaseMs: 60_000,
        finalStatus: 'cancelled',
        supersededBy: null,
        rescheduleMode: 'recreate',
      });
      await store.finishCancel({ ...cancel, now: at + 3, zoomResult: 'deleted' });
    }
  }
}
