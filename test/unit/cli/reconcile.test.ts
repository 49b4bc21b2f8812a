import { join } from 'node:path';
import { DEFAULT_LIFECYCLE_CONFIG, handleInviteeEvent } from '../../../src/lifecycle';
import { silentLogger } from '../../../src/log';
import { SqliteBookingStore } from '../../../src/store/sqlite';
import { FakeZoom } from '../../support/fake-zoom';
import { inviteeEvent, inviteeUri } from '../../support/invitee-events';
import { api, fixture, issueTokens, type Exchange } from '../zoom/zoom-test-kit';
import {
  CALENDLY_API,
  CALENDLY_TOKEN,
  NOW,
  ORG,
  USER,
  ZOOM_SECRET,
  calendly,
  fullEnv,
  page,
  runCli,
  useNetworkGuard,
  usersMe,
  useTempDir,
} from './cli-test-kit';

useNetworkGuard();
const tmp = useTempDir();

const HOST = 'host@example.com';
const HOST_MEETINGS = `/v2/users/${encodeURIComponent(HOST)}/meetings`;
const DEFAULT_WINDOW = {
  min_start_time: '2026-11-19T20:00:00.000Z',
  max_start_time: '2027-01-25T20:00:00.000Z',
};
/** FakeZoom numbers meetings from here, in creation order. */
const FIRST_FAKE_ID = 90_000_000_000;
const zoomMeeting = fixture<Exchange & { body: Record<string, unknown> }>(
  'get-meeting.response',
).body;
const created = fixture<Exchange & { body: Record<string, unknown> }>('create-meeting.response');
const START_URL = String(zoomMeeting['start_url']);

/** Bookings A..D, one day apart: what Calendly says, what the store was prepared with. */
const BOOKINGS = {
  // Active in Calendly, never reached us: missing meeting.
  a: { uuid: 'ev-a', start: '2026-12-01T15:00:00Z', status: 'active' },
  // Cancelled in Calendly, the cancel never reached us: stale record and ghost meeting.
  b: { uuid: 'ev-b', start: '2026-12-02T15:00:00Z', status: 'canceled' },
  // Cancelled and recorded, but the meeting still lives in Zoom: ghost meeting.
  c: { uuid: 'ev-c', start: '2026-12-03T15:00:00Z', status: 'canceled' },
  // Everything agrees.
  d: { uuid: 'ev-d', start: '2026-12-04T15:00:00Z', status: 'active' },
} as const;
type Booking = (typeof BOOKINGS)[keyof typeof BOOKINGS];

function storePath(): string {
  return join(tmp.path(), 'store.db');
}

/** The store as the receiver left it: B and D booked, C booked and cancelled. Meeting ids 0, 1, 2. */
async function prepareStore(): Promise<void> {
  const store = new SqliteBookingStore({ path: storePath(), now: () => NOW });
  const deps = {
    store,
    zoom: new FakeZoom([HOST]),
    now: () => NOW,
    log: silentLogger,
    config: DEFAULT_LIFECYCLE_CONFIG,
  };
  const created = (b: Booking) =>
    inviteeEvent('invitee.created', { event: b.uuid, start: b.start });
  await handleInviteeEvent(created(BOOKINGS.b), deps);
  await handleInviteeEvent(created(BOOKINGS.c), deps);
  await handleInviteeEvent(
    inviteeEvent('invitee.canceled', { event: BOOKINGS.c.uuid, start: BOOKINGS.c.start }),
    deps,
  );
  await handleInviteeEvent(created(BOOKINGS.d), deps);
  await store.close();
}

async function readStore() {
  const store = new SqliteBookingStore({ path: storePath(), now: () => NOW });
  try {
    return {
      a: await store.get('ev-a'),
      b: await store.get('ev-b'),
      c: await store.get('ev-c'),
      d: await store.get('ev-d'),
    };
  } finally {
    await store.close();
  }
}

function apiEvent(b: Booking) {
  return {
    uri: `${CALENDLY_API}/scheduled_events/${b.uuid}`,
    name: 'Discovery Call',
    status: b.status,
    start_time: b.start,
    end_time: new Date(Date.parse(b.start) + 30 * 60_000).toISOString(),
    location: { type: 'physical', location: '1 Main Street' },
    event_memberships: [{ user: USER, user_email: HOST }],
  };
}

function apiInvitee(b: Booking) {
  return {
    uri: inviteeUri(b.uuid, 'inv-1'),
    name: 'Invitee inv-1',
    email: 'inv-1@example.com',
    status: b.status,
    timezone: 'UTC',
    rescheduled: false,
    old_invitee: null,
    new_invitee: null,
  };
}

/** Calendly's side: the two listings of the window and each event's invitees. */
function calendlyWith(bookings: Booking[], window: Record<string, string> = DEFAULT_WINDOW) {
  usersMe();
  const base = { count: '100', sort: 'start_time:asc', organization: ORG, ...window };
  const scope = calendly();
  for (const status of ['active', 'canceled'] as const) {
    scope
      .get('/scheduled_events')
      .query({ ...base, status })
      .reply(200, page(bookings.filter((b) => b.status === status).map(apiEvent)));
  }
  for (const b of bookings) {
    scope
      .get(`/scheduled_events/${b.uuid}/invitees`)
      .query({ count: '100' })
      .reply(200, page([apiInvitee(b)]));
  }
  return scope;
}

function meetingId(n: number): string {
  return String(FIRST_FAKE_ID + n);
}

/** Zoom's answers while checking: A has no meeting; B, C and D's meetings are live. */
function zoomReads() {
  return api()
    .get(HOST_MEETINGS)
    .query({ type: 'upcoming', page_size: '300' })
    .reply(200, { page_size: 300, total_records: 0, next_page_token: '', meetings: [] })
    .get(`/v2/meetings/${meetingId(0)}`)
    .reply(200, { ...zoomMeeting, id: Number(meetingId(0)) })
    .get(`/v2/meetings/${meetingId(1)}`)
    .reply(200, { ...zoomMeeting, id: Number(meetingId(1)) })
    .get(`/v2/meetings/${meetingId(2)}`)
    .reply(200, { ...zoomMeeting, id: Number(meetingId(2)) });
}

/** The housekeeping after --apply lists the host's upcoming meetings: none is a stray copy. */
function sweepFindsNothing() {
  return api()
    .get(HOST_MEETINGS)
    .query({ type: 'upcoming', page_size: '300' })
    .reply(200, { page_size: 300, total_records: 0, next_page_token: '', meetings: [] });
}

describe('reconcile', () => {
  it('reports each kind of discrepancy, with a summary table, and changes nothing', async () => {
    await prepareStore();
    const cal = calendlyWith(Object.values(BOOKINGS));
    issueTokens(1);
    const zoom = zoomReads();

    const run = await runCli(['reconcile'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Checked 4 Calendly booking\(s\) .*: 1 consistent, 3 with discrepancies\./,
    );
    expect(run.stdout).toMatch(/ev-a .*active\s+-\s+-\s+missing_meeting\s+create_meeting/);
    expect(run.stdout).toMatch(
      new RegExp(
        `ev-b .*canceled\\s+active\\s+${meetingId(0)}\\s+stale_record,ghost_meeting\\s+cancel_booking`,
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `ev-c .*canceled\\s+cancelled\\s+${meetingId(1)}\\s+ghost_meeting\\s+delete_meeting`,
      ),
    );
    expect(run.stdout).toMatch(
      /DISCREPANCY\s+FOUND\nmissing_meeting\s+1\nghost_meeting\s+2\nstale_record\s+1\n/,
    );
    expect(run.stdout).toMatch(/Run again with --apply/);
    expect(cal.isDone() && zoom.isDone()).toBe(true);
    expect(await readStore()).toMatchObject({
      a: null,
      b: { status: 'active' },
      c: { status: 'cancelled' },
    });
  });

  it('--apply fixes each discrepancy through the lifecycle', async () => {
    await prepareStore();
    calendlyWith(Object.values(BOOKINGS));
    issueTokens(1);
    sweepFindsNothing();
    zoomReads();
    const fixes = api()
      .post(HOST_MEETINGS)
      .reply(201, created.body)
      .delete(`/v2/meetings/${meetingId(0)}`)
      .query({ schedule_for_reminder: 'false', cancel_meeting_reminder: 'false' })
      .reply(204)
      .delete(`/v2/meetings/${meetingId(1)}`)
      .query(true)
      .reply(204);

    const run = await runCli(['reconcile', '--apply'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(0);
    expect(fixes.isDone()).toBe(true);
    expect(run.stdout).toMatch(
      /DISCREPANCY\s+FOUND\s+FIXED\nmissing_meeting\s+1\s+1\nghost_meeting\s+2\s+2\nstale_record\s+1\s+1\n/,
    );
    expect(await readStore()).toMatchObject({
      a: { status: 'active', meeting: { id: String(created.body['id']) } },
      b: { status: 'cancelled' },
      c: { status: 'cancelled' },
      d: { status: 'active', meeting: { id: meetingId(2) } },
    });
  });

  it('--json prints the window, findings and summary, without internal fix actions', async () => {
    await prepareStore();
    calendlyWith(Object.values(BOOKINGS));
    issueTokens(1);
    zoomReads();

    const run = await runCli(['reconcile', '--json'], { env: fullEnv(tmp.path()) });

    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toEqual({
      window: { since: DEFAULT_WINDOW.min_start_time, until: DEFAULT_WINDOW.max_start_time },
      scope: 'organization',
      checked: 4,
      consistent: 1,
      skipped: { nativeZoom: 0, inProgress: 0, over: 0 },
      findings: [
        expect.objectContaining({
          eventUuid: 'ev-a',
          kinds: ['missing_meeting'],
          fix: 'create_meeting',
        }),
        expect.objectContaining({ eventUuid: 'ev-b', kinds: ['stale_record', 'ghost_meeting'] }),
        expect.objectContaining({
          eventUuid: 'ev-c',
          kinds: ['ghost_meeting'],
          meetingId: meetingId(1),
        }),
      ],
      applied: null,
      summary: {
        missing_meeting: { found: 1, fixed: null },
        ghost_meeting: { found: 2, fixed: null },
        stale_record: { found: 1, fixed: null },
      },
    });
    expect(Object.keys((report['findings'] as object[])[0] ?? {})).not.toContain('action');
  });

  it('exits 1 when --apply leaves something unfixed', async () => {
    await prepareStore();
    calendlyWith([{ ...BOOKINGS.d }]);
    issueTokens(1);
    sweepFindsNothing();
    // D's meeting was deleted by hand in Zoom, and Zoom refuses the replacement.
    api()
      .get(`/v2/meetings/${meetingId(2)}`)
      .reply(404, { code: 3001, message: 'Meeting does not exist.' })
      .post(HOST_MEETINGS)
      .reply(400, { code: 300, message: 'Invalid field.' });

    const run = await runCli(['reconcile', '--apply'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/ev-d .*failed: .*Invalid field/);
  });

  it('reads the window from --since and --until', async () => {
    await prepareStore();
    const cal = calendlyWith([], {
      min_start_time: '2026-12-01T00:00:00.000Z',
      max_start_time: '2026-12-31T00:00:00.000Z',
    });

    const run = await runCli(
      ['reconcile', '--since', '2026-12-01', '--until', '2026-12-31T00:00:00Z'],
      { env: fullEnv(tmp.path()) },
    );

    expect(run.code).toBe(0);
    expect(cal.isDone()).toBe(true);
  });

  it("lists only the token user's bookings with --scope user", async () => {
    usersMe();
    const cal = calendly()
      .get('/scheduled_events')
      .query({
        count: '100',
        sort: 'start_time:asc',
        user: USER,
        ...DEFAULT_WINDOW,
        status: 'active',
      })
      .reply(200, page([]))
      .get('/scheduled_events')
      .query({
        count: '100',
        sort: 'start_time:asc',
        user: USER,
        ...DEFAULT_WINDOW,
        status: 'canceled',
      })
      .reply(200, page([]));

    const run = await runCli(['reconcile', '--scope', 'user'], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(0);
    expect(cal.isDone()).toBe(true);
  });

  it('draws a progress bar on stderr on a terminal only', async () => {
    await prepareStore();
    for (const isTTY of [true, false]) {
      calendlyWith([BOOKINGS.d]);
      issueTokens(1);
      api()
        .get(`/v2/meetings/${meetingId(2)}`)
        .reply(200, zoomMeeting);
      const run = await runCli(['reconcile'], { env: fullEnv(tmp.path()), isTTY });

      if (isTTY) expect(run.stderr).toMatch(/\rChecking bookings \[#+\] 1\/1/);
      else expect(run.stderr).toBe('');
    }
  });

  it('names every missing setting at once and exits 1', async () => {
    const run = await runCli(['reconcile'], { env: { STORE_PATH: storePath() } });

    expect(run.code).toBe(1);
    for (const name of [
      'CALENDLY_TOKEN',
      'ZOOM_ACCOUNT_ID',
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
    ]) {
      expect(run.stderr).toContain(`${name} is not set`);
    }
  });

  it.each([
    [['--since', 'yesterday'], /--since must be an ISO 8601 date/],
    [['--since', '2026-12-31', '--until', '2026-12-01'], /must be before --until/],
    [['--scope', 'group'], /--scope must be organization or user/],
    [['extra'], /Unexpected argument/],
  ])('%j is a usage error', async (args, message) => {
    const run = await runCli(['reconcile', ...args], { env: fullEnv(tmp.path()) });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('never prints the Calendly token, the Zoom secret or a start_url', async () => {
    await prepareStore();
    calendlyWith(Object.values(BOOKINGS));
    issueTokens(1);
    zoomReads();
    sweepFindsNothing();
    api().post(HOST_MEETINGS).reply(201, created.body).delete(/.*/).query(true).times(2).reply(204);

    const run = await runCli(['reconcile', '--apply', '--verbose'], { env: fullEnv(tmp.path()) });
    const json = await (async () => {
      calendlyWith([BOOKINGS.d]);
      issueTokens(1);
      api()
        .get(`/v2/meetings/${meetingId(2)}`)
        .reply(200, zoomMeeting);
      return runCli(['reconcile', '--json'], { env: fullEnv(tmp.path()) });
    })();

    const output = run.stdout + run.stderr + json.stdout + json.stderr;
    expect(run.code).toBe(0);
    for (const secret of [
      CALENDLY_TOKEN,
      ZOOM_SECRET,
      START_URL,
      'zak=',
      String(created.body['start_url']),
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
