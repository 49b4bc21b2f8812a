import { join } from 'node:path';
import { SqliteBookingStore } from '../../../src/store/sqlite';
import { runCli, useTempDir } from '../cli/cli-test-kit';

// `notifications list` and `retry` on a real SQLite store holding items the transitions queued.

const dir = useTempDir();
const HOOK = 'https://hooks.example.com/hooks/catch/123/secret-path-token/';
const NOW = Date.parse('2026-03-01T09:00:00Z');

/** Two bookings made through the store's transitions, announced on HOOK and email. */
async function queueTwoBookings(path: string): Promise<void> {
  const store = new SqliteBookingStore({
    path,
    now: () => NOW,
    notify: { channels: [`webhook:${HOOK}`, 'email'] },
  });
  try {
    for (const eventUuid of ['evt-a', 'evt-b']) {
      const lease = { eventUuid, owner: `w-${eventUuid}`, now: NOW };
      await store.claimCreate({
        ...lease,
        eventUri: `https://api.calendly.com/scheduled_events/${eventUuid}`,
        inviteeUri: `https://api.calendly.com/scheduled_events/${eventUuid}/invitees/i`,
        leaseMs: 60_000,
        startTime: '2026-03-10T14:00:00Z',
        durationMinutes: 30,
        reschedule: null,
        rescheduleMode: 'recreate',
      });
      await store.commitCreate({
        ...lease,
        meeting: {
          id: `8501234567${eventUuid === 'evt-a' ? 1 : 2}`,
          joinUrl: 'https://zoom.us/j/1',
          startUrl: 'https://zoom.us/s/1?zak=NEVER-PRINT',
          password: 'passcode-NEVER-PRINT',
          host: 'host@example.com',
        },
      });
    }
    // One webhook fails for good.
    const [item] = (
      await store.outbox.claimDue({ owner: 'd', now: NOW, leaseMs: 1000, limit: 10 })
    ).filter((i) => i.channel.startsWith('webhook:'));
    await store.outbox.complete({
      itemId: item!.itemId,
      owner: 'd',
      now: NOW,
      result: { type: 'failed', error: 'HTTP 410 Gone: the consumer wants no more notifications' },
    });
  } finally {
    await store.close();
  }
}

describe('calendly-zoom notifications list / retry', () => {
  it('lists items with counts, a consumer URL by its origin only, no passcode or start URL', async () => {
    const path = join(dir.path(), 'store.db');
    await queueTwoBookings(path);
    const env = { STORE_PATH: path };

    const table = await runCli(['notifications', 'list'], { env, now: NOW });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^3 pending, 0 delivered \(kept a day\), 1 failed\./);
    expect(table.stdout).toContain('webhook:https://hooks.example.com/…');
    expect(table.stdout).toContain('retry --all-failed');

    const json = await runCli(['notifications', 'list', '--failed', '--json'], { env, now: NOW });
    const { counts, items } = JSON.parse(json.stdout) as {
      counts: Record<string, number>;
      items: { itemId: string; type: string; status: string; lastError: string }[];
    };
    expect(counts).toEqual({ pending: 3, delivered: 0, failed: 1 });
    expect(items).toEqual([
      expect.objectContaining({
        type: 'meeting.created',
        status: 'failed',
        lastError: expect.stringContaining('410'),
      }),
    ]);
    for (const run of [table, json]) {
      expect(run.stdout).not.toMatch(/secret-path-token|NEVER-PRINT|zak=/);
    }
  });

  it('retry puts a failed item back, by id or all at once; exit 1 when no id was failed', async () => {
    const path = join(dir.path(), 'store.db');
    await queueTwoBookings(path);
    const env = { STORE_PATH: path };
    const listed = await runCli(['notifications', 'list', '--failed', '--json'], { env, now: NOW });
    const [failed] = (JSON.parse(listed.stdout) as { items: { itemId: string }[] }).items;

    const unknown = await runCli(['notifications', 'retry', 'msg_nope:0000000000'], {
      env,
      now: NOW,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('None of those ids is a failed notification');

    const byId = await runCli(['notifications', 'retry', failed!.itemId], { env, now: NOW });
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/^1 notification\(s\) queued again/);

    const none = await runCli(['notifications', 'retry', '--all-failed', '--json'], {
      env,
      now: NOW,
    });
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ queued: 0 });
    const after = await runCli(['notifications', 'list', '--json'], { env, now: NOW });
    expect(JSON.parse(after.stdout).counts).toEqual({ pending: 4, delivered: 0, failed: 0 });
  });

  it.each([[['retry']], [['retry', 'x', '--all-failed']], [['list', '--limit', '0']], [['purge']]])(
    'exits 2 with the help for %j',
    async (args) => {
      const run = await runCli(['notifications', ...args], {
        env: { STORE_PATH: join(dir.path(), 's.db') },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage:');
    },
  );
});
