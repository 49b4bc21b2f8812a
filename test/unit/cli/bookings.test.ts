import { join } from 'node:path';
import { SqliteBookingStore } from '../../../src/store/sqlite';
import { harness, type Harness } from '../../support/lifecycle-harness';
import { canceled, created, inviteeUri } from '../../support/invitee-events';
import { runCli, useTempDir } from './cli-test-kit';

// `calendly-zoom bookings list|show` over a real SQLite store, filled by the real lifecycle.

const dir = useTempDir();
const storePath = (): string => join(dir.path(), 'bookings.db');
const env = () => ({ STORE_PATH: storePath() });

/** Runs deliveries through the lifecycle into the test's SQLite file, as `serve` would. */
async function deliver(run: (h: Harness) => Promise<void>): Promise<void> {
  const store = new SqliteBookingStore({ path: storePath() });
  try {
    await run(harness({ store }));
  } finally {
    await store.close();
  }
}

/** A booking whose Calendly host has no Zoom user, with no ZOOM_DEFAULT_HOST; `later` ms on. */
async function hostWithoutZoomUser(later = 0): Promise<void> {
  await deliver(async (h) => {
    h.clock.advance(later);
    await expect(
      h.handle(created({ event: 'ev-lost', invitee: 'jane', host: 'nobody@example.com' })),
    ).rejects.toThrow(/no Zoom user/);
  });
}

describe('bookings show', () => {
  it('explains a booking that failed for a missing host: the problem, the fix and the delivery', async () => {
    await hostWithoutZoomUser();

    const run = await runCli(['bookings', 'show', 'jane@example.com'], { env: env() });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Booking ev-lost');
    expect(run.stdout).toMatch(/Status\s+NEEDS ATTENTION \(CREATING\)/);
    expect(run.stdout).toMatch(/Problem\s+host_without_zoom_user since /);
    expect(run.stdout).toContain(
      'has no Zoom user in this account and ZOOM_DEFAULT_HOST is not set',
    );
    expect(run.stdout).toMatch(/Fix\s+Add the booking's host as a user of the Zoom account/);
    expect(run.stdout).toMatch(
      /invitee\.created\s+Could not be served: host without zoom user {2}→ needs attention/,
    );
    expect(run.stdout).toMatch(/Meeting\s+none/);
  });

  it('shows the history of every delivery of a booking and how each ended', async () => {
    await deliver(async (h) => {
      await h.handle(created({ event: 'ev-1', invitee: 'jane' }));
      h.clock.advance(60_000);
      await h.handle(canceled({ event: 'ev-1', invitee: 'jane' }));
    });

    const run = await runCli(['bookings', 'show', 'ev-1'], { env: env() });

    const history = run.stdout.slice(run.stdout.indexOf('History'));
    expect(history.split('\n').slice(1, 5)).toEqual([
      expect.stringMatching(/invitee\.created\s+New booking: making its Zoom meeting$/),
      expect.stringMatching(/invitee\.created\s+Zoom meeting \d+ created {2}→ meeting created$/),
      expect.stringMatching(/invitee\.canceled\s+Invitee cancelled$/),
      expect.stringMatching(/invitee\.canceled\s+Zoom meeting deleted {2}→ cancelled$/),
    ]);
    expect(run.stdout).toMatch(/Status\s+CANCELLED/);
  });

  it.each([
    ['its invitee URI', inviteeUri('ev-1', 'jane')],
    ['its scheduled event URI', 'https://api.calendly.com/scheduled_events/ev-1'],
    ['its event UUID', 'ev-1'],
    ['its invitee email, in any case', 'Jane@Example.com'],
  ])('finds a booking by %s', async (_what, query) => {
    await deliver(async (h) => void (await h.handle(created({ event: 'ev-1', invitee: 'jane' }))));

    const run = await runCli(['bookings', 'show', query], { env: env() });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Booking ev-1');
  });

  it('finds a booking by its Zoom meeting id, spaced as Zoom prints it, and shows the join link only', async () => {
    let meetingId = '';
    await deliver(async (h) => {
      meetingId = (await h.handle(created({ event: 'ev-1', invitee: 'jane' }))).meeting?.id ?? '';
    });
    const spaced = `${meetingId.slice(0, 3)} ${meetingId.slice(3, 7)} ${meetingId.slice(7)}`;

    const run = await runCli(['bookings', 'show', spaced], { env: env() });

    expect(run.stdout).toContain(`https://zoom.example/j/${meetingId}`);
    expect(run.stdout).not.toMatch(/zoom\.example\/s\/|zak=|start_?url|password/i);
  });

  it('--json gives the booking with its history and attention, never the start URL or passcode', async () => {
    await deliver(async (h) => void (await h.handle(created({ event: 'ev-1', invitee: 'jane' }))));
    await hostWithoutZoomUser();

    const run = await runCli(['bookings', 'show', 'jane@example.com', '--json'], { env: env() });

    const out = JSON.parse(run.stdout) as {
      bookings: { eventUuid: string; needsAttention: boolean; history: unknown[] }[];
    };
    expect(out.bookings.map((b) => [b.eventUuid, b.needsAttention])).toEqual(
      expect.arrayContaining([
        ['ev-1', false],
        ['ev-lost', true],
      ]),
    );
    expect(out.bookings.find((b) => b.eventUuid === 'ev-1')?.history).toContainEqual(
      expect.objectContaining({ via: 'invitee.created', outcome: 'created' }),
    );
    expect(run.stdout).not.toMatch(/startUrl|zoom\.example\/s\/|zak=|password/);
  });

  it('exits 1 with a hint when nothing matches', async () => {
    await deliver(async () => undefined);
    const run = await runCli(['bookings', 'show', 'nobody@example.com'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No booking matches "nobody@example.com"');
  });

  it.each([[['bookings', 'show']], [['bookings', 'show', 'not a booking']], [['bookings', 'x']]])(
    'exits 2 with the help for %j',
    async (argv) => {
      const run = await runCli(argv, { env: env() });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage:\n  calendly-zoom bookings list');
    },
  );
});

describe('bookings list', () => {
  beforeEach(async () => {
    await deliver(async (h) => {
      await h.handle(created({ event: 'ev-old', invitee: 'old' }));
      h.clock.advance(3 * 86_400_000);
      await h.handle(created({ event: 'ev-new', invitee: 'new' }));
    });
    await hostWithoutZoomUser(4 * 86_400_000);
  });

  it('lists bookings newest change first, a failed one as needing attention', async () => {
    const run = await runCli(['bookings', 'list'], { env: env() });
    const rows = run.stdout.split('\n');
    expect(rows[0]).toMatch(/^CHANGED\s+STATUS\s+STARTS\s+EVENT\s+INVITEE\s+MEETING$/);
    expect(rows.slice(1, 4).map((r) => r.split(/\s{2,}/)[1])).toEqual([
      'needs attention (creating)',
      'active',
      'active',
    ]);
    expect(run.stdout).toContain('3 bookings.');
  });

  it('--status needs_attention keeps only those', async () => {
    const run = await runCli(['bookings', 'list', '--status', 'needs_attention', '--json'], {
      env: env(),
    });
    const { bookings } = JSON.parse(run.stdout) as { bookings: { eventUuid: string }[] };
    expect(bookings.map((b) => b.eventUuid)).toEqual(['ev-lost']);
  });

  it('--since takes a span back from now or an ISO time', async () => {
    const uuids = (stdout: string): string[] =>
      (JSON.parse(stdout) as { bookings: { eventUuid: string }[] }).bookings.map(
        (b) => b.eventUuid,
      );
    const spans = await runCli(['bookings', 'list', '--since', '2d', '--json'], {
      env: env(),
      now: Date.parse('2026-11-30T13:00:00Z'),
    });
    expect(uuids(spans.stdout)).toEqual(['ev-lost', 'ev-new']);
    const iso = await runCli(['bookings', 'list', '--since', '2026-11-27', '--json'], {
      env: env(),
    });
    expect(uuids(iso.stdout)).toEqual(['ev-lost', 'ev-new']);
  });

  it.each([[['--status', 'lost']], [['--since', 'yesterday']], [['--limit', '0']]])(
    'exits 2 for %j',
    async (args) => {
      const run = await runCli(['bookings', 'list', ...args], { env: env() });
      expect(run.code).toBe(2);
    },
  );
});

describe('bookings --sandbox', () => {
  it('says how to start a sandbox when none has run', async () => {
    const run = await runCli(['bookings', 'list', '--sandbox'], {
      env: { SANDBOX_DIR: dir.path() },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npx calendly-zoom serve --sandbox');
  });
});
