import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../../src/config';
import { startReceiver, type RunningReceiver } from '../../src/server/start-receiver';
import {
  buildInviteeCanceled,
  buildInviteeCreated,
  scheduledEventUri,
} from '../support/calendly-payloads';
import { startFakeZoomServer, zoomFaults, type FakeZoomServer } from '../support/fake-zoom-server';
import { deliver, send, type ReceivedResponse } from '../support/http-request';
import {
  captureLogs,
  keepNetworkLocal,
  leakedSecrets,
  newBooking,
  noSleep,
  secretsOf,
  SIGNING_KEY,
  type LogCapture,
} from './e2e-kit';

// The receiver as `calendly-zoom serve` runs it (SQLite store, real HTTP on both sides), with
// Zoom faked over HTTP on 127.0.0.1 and deliveries signed as Calendly signs them.

keepNetworkLocal();

let zoom: FakeZoomServer;
let dir: string;
let receiver: RunningReceiver;
let logs: LogCapture;
/** Every answer the receiver gave in this test, checked for secrets afterwards. */
let answers: ReceivedResponse[];

function env(): Env {
  return {
    ...zoom.env(),
    CALENDLY_SIGNING_KEY: SIGNING_KEY,
    // A directory that does not exist yet: the receiver creates it.
    STORE_PATH: join(dir, 'data', 'bookings.db'),
  };
}

async function startOnStore(): Promise<RunningReceiver> {
  const config = loadConfig(env(), { signingKey: true, zoom: true });
  return startReceiver(config, { log: logs.log, port: 0, sleep: noSleep });
}

beforeEach(async () => {
  zoom = await startFakeZoomServer({ users: ['host@example.com'] });
  dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-e2e-'));
  logs = captureLogs();
  answers = [];
  receiver = await startOnStore();
});

afterEach(async () => {
  await receiver.close();
  await zoom.close();
  rmSync(dir, { recursive: true, force: true });
  expect(leakedSecrets([...logs.lines, ...answers.map((a) => a.text)], secretsOf(zoom))).toEqual(
    [],
  );
});

async function post(body: unknown): Promise<ReceivedResponse> {
  const res = await deliver(receiver.url, body, { signingKey: SIGNING_KEY });
  answers.push(res);
  return res;
}

const requestLines = () => logs.records().filter((r) => r.message === 'request');

describe('invitee.created', () => {
  it('answers 200 created once the meeting exists in Zoom and is recorded', async () => {
    const booking = newBooking();
    const res = await post(buildInviteeCreated(booking));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'created', eventUuid: booking.eventUuid });
    const [meeting, ...others] = zoom.liveMeetings();
    expect(others).toEqual([]);
    expect(res.body).toMatchObject({ meetingId: meeting?.id, joinUrl: meeting?.joinUrl });
    expect(meeting).toMatchObject({
      hostEmail: 'host@example.com',
      topic: '30 Minute Consultation with Jane Doe',
      startTime: '2026-03-10T14:00:00Z',
      duration: 30,
      agenda: expect.stringContaining(`[Calendly booking ${scheduledEventUri(booking.eventUuid)}]`),
    });
  });

  it('answers 200 duplicate to the same delivery again, and makes no second meeting', async () => {
    const body = buildInviteeCreated(newBooking());
    const first = await post(body);
    const again = await post(body);

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'duplicate', meetingId: first.body.meetingId });
    expect(zoom.requestsTo('createMeeting')).toHaveLength(1);
    expect(zoom.liveMeetings()).toHaveLength(1);
  });

  it('keeps the mapping across a restart on the same store', async () => {
    const body = buildInviteeCreated(newBooking());
    const first = await post(body);
    await receiver.close();
    receiver = await startOnStore();

    const again = await post(body);
    expect(again.body).toMatchObject({ outcome: 'duplicate', meetingId: first.body.meetingId });
    expect(zoom.requestsTo('createMeeting')).toHaveLength(1);
  });

  it('answers 503 in_progress to a redelivery while the first is still at Zoom', async () => {
    const body = buildInviteeCreated(newBooking());
    const held = zoom.hold('createMeeting');
    const first = post(body);
    await held.arrived;

    const meanwhile = await post(body);
    expect(meanwhile.status).toBe(503);
    expect(meanwhile.headers['retry-after']).toBe('10');
    expect(meanwhile.body.outcome).toBe('in_progress');

    held.release();
    expect((await first).body.outcome).toBe('created');
    expect((await post(body)).body.outcome).toBe('duplicate');
    expect(zoom.liveMeetings()).toHaveLength(1);
  });

  it("answers 503 with Retry-After and logs an error when a host's daily Zoom limit is used up", async () => {
    zoom.failNext('createMeeting', zoomFaults.dailyUserLimit());
    const res = await post(buildInviteeCreated(newBooking()));

    expect(res.status).toBe(503);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(logs.records()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('daily rate limit'),
        detail: expect.stringContaining('100 meeting creates/updates per day'),
      }),
    );
    expect(zoom.liveMeetings()).toEqual([]);
  });

  it('answers 500 and logs a configuration error when Zoom rejects the credentials', async () => {
    zoom.failNext('token', {
      type: 'respond',
      status: 400,
      body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
    });
    const res = await post(buildInviteeCreated(newBooking()));

    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({
      error: 'configuration',
      message: expect.stringContaining('Client ID or Client Secret'),
    });
    expect(logs.records()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringContaining('Configuration'),
      }),
    );
  });
});

describe('invitee.canceled', () => {
  it('deletes the meeting and answers 200 cancelled', async () => {
    const booking = newBooking();
    await post(buildInviteeCreated(booking));
    const res = await post(buildInviteeCanceled(booking));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'cancelled', eventUuid: booking.eventUuid });
    expect(zoom.liveMeetings()).toEqual([]);
    expect(zoom.requestsTo('deleteMeeting')).toEqual([expect.objectContaining({ status: 204 })]);
  });

  it('before its invitee.created (out of order): no meeting is ever made', async () => {
    const booking = newBooking();
    const cancel = await post(buildInviteeCanceled(booking));
    const create = await post(buildInviteeCreated(booking));

    expect(cancel.status).toBe(200);
    expect(cancel.body.outcome).toBe('tombstoned');
    expect(create.status).toBe(200);
    expect(create.body.outcome).toBe('tombstoned');
    expect(zoom.requestsTo('createMeeting')).toEqual([]);
    expect(zoom.liveMeetings()).toEqual([]);
  });

  it('answers 503 with Retry-After while Zoom fails the delete, and succeeds on redelivery', async () => {
    const booking = newBooking();
    await post(buildInviteeCreated(booking));
    zoom.failNext('deleteMeeting', zoomFaults.serverError(503), Infinity);

    const failed = await post(buildInviteeCanceled(booking));
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('30');
    expect(zoom.liveMeetings()).toHaveLength(1);

    zoom.clearFaults();
    const retried = await post(buildInviteeCanceled(booking));
    expect(retried.status).toBe(200);
    expect(retried.body.outcome).toBe('cancelled');
    expect(zoom.liveMeetings()).toEqual([]);
  });
});

describe('what never reaches the lifecycle', () => {
  it('answers 401 to a delivery signed with another key', async () => {
    const res = await deliver(receiver.url, buildInviteeCreated(newBooking()), {
      signingKey: 'not-the-key',
    });
    answers.push(res);
    expect(res.status).toBe(401);
    expect(res.body.reason).toBe('signature_mismatch');
    expect(zoom.requests).toEqual([]);
  });

  it('answers 413 to a body over 1 MB', async () => {
    const res = await post(`{"pad":"${'x'.repeat(1024 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect(zoom.requests).toEqual([]);
  });

  it('answers 400 to a signed body that is not an invitee event', async () => {
    const res = await post({ event: 'invitee.created', payload: { uri: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.field).toEqual(expect.stringContaining('payload'));
  });
});

describe('GET /healthz', () => {
  it('answers 200 with the store kind', async () => {
    const res = await send(receiver.url, { path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, store: 'sqlite' });
  });
});

describe('graceful shutdown', () => {
  it('answers a slow request in flight, refuses new ones, then closes the store', async () => {
    const body = buildInviteeCreated(newBooking());
    const held = zoom.hold('createMeeting');
    const inFlight = post(body);
    await held.arrived;

    let closed = false;
    const closing = receiver.close().then(() => (closed = true));
    await expect(send(receiver.url, { path: '/healthz' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(closed).toBe(false);

    held.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('created');
    expect(res.headers.connection).toBe('close');
    await closing;
    await expect(receiver.runtime.store.ping()).rejects.toThrow();
  });
});

describe('logs', () => {
  it('say one line per request with id, method, path, status, outcome, booking and duration', async () => {
    const booking = newBooking();
    const res = await post(buildInviteeCreated(booking));
    expect(requestLines()).toEqual([
      expect.objectContaining({
        level: 'info',
        requestId: res.headers['x-request-id'],
        method: 'POST',
        path: '/webhooks/calendly',
        status: 200,
        outcome: 'created',
        eventUuid: booking.eventUuid,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('never carry a secret, on success and failure paths alike', async () => {
    const booking = newBooking();
    await post(buildInviteeCreated(booking)); // token fetched, meeting made
    await post(buildInviteeCreated(booking)); // duplicate
    zoom.revokeTokens(); // 401 → new token → retry
    await post(buildInviteeCreated(newBooking()));
    await deliver(receiver.url, buildInviteeCreated(), { signingKey: 'forged' });
    await post('{"event": "invitee.created"');
    zoom.failNext('deleteMeeting', zoomFaults.serverError(502), Infinity);
    await post(buildInviteeCanceled(booking));
    zoom.clearFaults();
    await post(buildInviteeCanceled(booking));
    zoom.failNext('createMeeting', zoomFaults.dailyUserLimit());
    await post(buildInviteeCreated(newBooking()));
    zoom.failNext('createMeeting', zoomFaults.resetAfterEffect());
    await post(buildInviteeCreated(newBooking()));

    expect(zoom.issuedTokens.length).toBeGreaterThanOrEqual(2);
    expect(logs.records().map((r) => r.level)).toEqual(
      expect.arrayContaining(['info', 'warn', 'error']),
    );
    expect(leakedSecrets([...logs.lines, ...answers.map((a) => a.text)], secretsOf(zoom))).toEqual(
      [],
    );
  });
});

describe('a store that cannot take writes', () => {
  it('makes /healthz answer 503 once a delivery failed for want of space, not 200', async () => {
    expect((await send(receiver.url, { path: '/healthz' })).status).toBe(200);
    // "database or disk is full" without filling a disk: the file may not grow any more.
    const db = (receiver.runtime.store as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const big = buildInviteeCreated({ ...newBooking(), eventName: 'x'.repeat(20_000) });

    const res = await post(big);

    expect(res.status).toBe(503);
    const health = await send(receiver.url, { path: '/healthz' });
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ ok: false, store: 'sqlite' });
  });

  it('answers a delivery 503 store_busy within the bound while another process holds the lock, and /healthz at once', async () => {
    const other = new Database(join(dir, 'data', 'bookings.db'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const delivery = post(buildInviteeCreated(newBooking()));
      // Meanwhile the process answers: SQLite's lock wait no longer blocks the event loop.
      const startedHealth = Date.now();
      const health = await send(receiver.url, { path: '/healthz' });
      const healthMs = Date.now() - startedHealth;
      const res = await delivery;

      expect(health.status).toBe(503);
      expect(healthMs).toBeLessThan(5000);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'store_busy' });
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    expect((await post(buildInviteeCreated(newBooking()))).status).toBe(200);
  });
});
