import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../../src/config';
import { main } from '../../src/cli/main';
import { buildInviteeCreated } from '../support/calendly-payloads';
import { startFakeZoomServer, type FakeZoomServer } from '../support/fake-zoom-server';
import { deliver, send } from '../support/http-request';
import {
  cliRun,
  keepNetworkLocal,
  leakedSecrets,
  newBooking,
  secretsOf,
  SIGNING_KEY,
} from './e2e-kit';

// `calendly-zoom serve` through the real CLI entry point, in process: argument and config checks,
// what it prints, and shutdown on the signal main() wires to SIGTERM/SIGINT.

keepNetworkLocal();

describe('calendly-zoom serve: configuration', () => {
  it('exits 1 listing every missing variable in one message, before listening', async () => {
    const run = cliRun({});
    expect(await main(['serve', '--port', '0'], run.io)).toBe(1);
    const message = run.stderr.join('');
    for (const name of [
      'CALENDLY_SIGNING_KEY',
      'ZOOM_ACCOUNT_ID',
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
    ]) {
      expect(message).toContain(name);
    }
    expect(run.stderr).toHaveLength(1);
    expect(run.stdout).toEqual([]);
  });

  it('lists malformed variables alongside missing ones', async () => {
    const run = cliRun({
      CALENDLY_SIGNING_KEY: 'k',
      ZOOM_ACCOUNT_ID: 'a',
      ZOOM_API_URL: 'ftp://zoom.example',
      PORT: 'eighty',
      UPSTASH_REDIS_REST_URL: 'https://example.upstash.io',
      SIGNATURE_TOLERANCE_SECONDS: '-5',
    });
    expect(await main(['serve'], run.io)).toBe(1);
    const message = run.stderr.join('');
    expect(message).toMatch(/^Invalid configuration:/);
    for (const name of [
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
      'ZOOM_API_URL',
      'PORT',
      'UPSTASH_REDIS_REST_TOKEN',
      'SIGNATURE_TOLERANCE_SECONDS',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('CALENDLY_SIGNING_KEY');
  });

  it.each([
    [['--port', 'http']],
    [['--port', '70000']],
    [['--host', '']],
    [['--verbose']],
    [['extra-argument']],
  ])('exits 2 with the help for %j', async (args) => {
    const run = cliRun({});
    expect(await main(['serve', ...args], run.io)).toBe(2);
    expect(run.stderr.join('')).toContain('Usage: calendly-zoom serve');
  });

  it('--help names the endpoints and every variable it reads', async () => {
    const run = cliRun({});
    expect(await main(['serve', '--help'], run.io)).toBe(0);
    const help = run.stdout.join('');
    for (const text of [
      'POST /webhooks/calendly',
      'GET  /healthz',
      'CALENDLY_SIGNING_KEY',
      'ZOOM_ACCOUNT_ID',
      'ZOOM_CLIENT_ID',
      'ZOOM_CLIENT_SECRET',
      'ZOOM_DEFAULT_HOST',
      'UPSTASH_REDIS_REST_URL',
      'UPSTASH_REDIS_REST_TOKEN',
      'STORE_PATH',
      'PORT',
      'SIGNATURE_TOLERANCE_SECONDS',
      'CALENDLY_API_URL',
      'RECEIVER_MAX_CONNECTIONS',
      'RECEIVER_MAX_BUFFERED_MB',
      'RECEIVER_HEADERS_TIMEOUT_MS',
      'RECEIVER_STOP_TIMEOUT_MS',
    ]) {
      expect(help).toContain(text);
    }
  });
});

describe('calendly-zoom serve: running', () => {
  let zoom: FakeZoomServer;
  let dir: string;

  beforeEach(async () => {
    zoom = await startFakeZoomServer({ users: ['host@example.com'] });
    dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-cli-'));
  });

  afterEach(async () => {
    await zoom.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens, says where and on which store, handles deliveries, and stops gracefully on the signal', async () => {
    const storePath = join(dir, 'new', 'dir', 'bookings.db');
    const run = cliRun({
      ...zoom.env(),
      CALENDLY_SIGNING_KEY: `old-key,${SIGNING_KEY}`,
      STORE_PATH: storePath,
    });
    const exit = main(['serve', '--port', '0', '--host', '127.0.0.1'], run.io);

    const listening = await run.logged('receiver listening');
    expect(listening).toMatchObject({
      level: 'info',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      store: 'sqlite',
      storePath,
    });
    const url = String(listening.url);
    expect(listening.webhookUrl).toBe(`${url}/webhooks/calendly`);
    expect(existsSync(storePath)).toBe(true);

    const created = await deliver(url, buildInviteeCreated(newBooking()), {
      signingKey: SIGNING_KEY,
    });
    expect(created.status).toBe(200);
    expect(created.body.outcome).toBe('created');
    expect((await send(url, { path: '/healthz' })).body).toEqual({ ok: true, store: 'sqlite' });

    // A slow request in flight when SIGTERM arrives still gets its answer.
    const held = zoom.hold('createMeeting');
    const inFlight = deliver(url, buildInviteeCreated(newBooking()), { signingKey: SIGNING_KEY });
    await held.arrived;
    run.stop.abort('SIGTERM');
    await run.logged('shutting down: answering requests in flight first');
    held.release();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('created');
    expect(await exit).toBe(0);
    await expect(send(url, { path: '/healthz' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    expect(await run.logged('receiver stopped')).toMatchObject({ level: 'info' });
    expect(run.stderr).toEqual([]);
    expect(zoom.liveMeetings()).toHaveLength(2);
    expect(leakedSecrets(run.stdout, secretsOf(zoom))).toEqual([]);
  });

  describe('shutdown within RECEIVER_STOP_TIMEOUT_MS', () => {
    const BOUND_MS = 1500;

    async function serving(extraEnv: Env = {}) {
      const run = cliRun({
        ...zoom.env(),
        CALENDLY_SIGNING_KEY: SIGNING_KEY,
        STORE_PATH: join(dir, 'bookings.db'),
        RECEIVER_STOP_TIMEOUT_MS: String(BOUND_MS),
        ...extraEnv,
      });
      const exit = main(['serve', '--port', '0'], run.io);
      const url = String((await run.logged('receiver listening')).url);
      return { run, exit, url };
    }

    it('closes idle keep-alive connections and half-sent headers at once', async () => {
      const { run, exit, url } = await serving();
      // Raw sockets: nock (keepNetworkLocal) sits in front of node:http's agents.
      const idle = await rawConnection(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await until(() => idle.text().endsWith('}'));
      const halfHeader = await rawConnection(url, 'POST /webhooks/calendly HTTP/1.1\r\nHost: x');
      const started = Date.now();
      run.stop.abort('SIGTERM');
      expect(await exit).toBe(0);
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      // Both closed by the receiver (their 'close' comes once the FIN is read).
      expect(await idle.received).toMatch(/^HTTP\/1\.1 200 /);
      expect(await halfHeader.received).toBe('');
      expect(await run.logged('shutting down: answering requests in flight first')).toMatchObject({
        inFlight: 0,
      });
    });

    it('abandons work still running at the bound with a log line naming the booking, and exits', async () => {
      const { run, exit, url } = await serving();
      const booking = newBooking();
      const held = zoom.hold('createMeeting');
      const stuck = deliver(url, buildInviteeCreated(booking), { signingKey: SIGNING_KEY });
      await held.arrived;
      // A body that never completes: headers and half the bytes, then silence.
      const halfBody = await rawConnection(
        url,
        'POST /webhooks/calendly HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"event":',
      );
      // Nothing is logged when a request starts; give the receiver a moment to read its head.
      await new Promise((resolve) => setTimeout(resolve, 200));

      const started = Date.now();
      run.stop.abort('SIGTERM');
      expect(await run.logged('shutting down: answering requests in flight first')).toMatchObject({
        inFlight: 2,
        shutdownTimeoutMs: BOUND_MS,
      });
      expect(await exit).toBe(0);
      const tookMs = Date.now() - started;
      expect(tookMs).toBeGreaterThanOrEqual(BOUND_MS - 50);
      expect(tookMs).toBeLessThan(BOUND_MS + 1000);

      const res = await stuck;
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'shutting_down' });
      expect(await halfBody.received).toMatch(/^HTTP\/1\.1 503 /);
      expect(
        await run.logged('shutdown reached its bound: work still in flight is abandoned'),
      ).toMatchObject({
        level: 'warn',
        inFlight: 2,
      });
      const abandoned = run
        .lines()
        .filter((l) => l.message === 'shutdown abandons a request whose work is not done');
      expect(abandoned).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ eventUuid: booking.eventUuid, stage: 'working' }),
          expect.objectContaining({ eventUuid: null, stage: 'reading_body' }),
        ]),
      );
      expect(abandoned).toHaveLength(2);
      expect(await run.logged('receiver stopped')).toMatchObject({ level: 'info' });
      held.release();
    });
  });

  it('applies RECEIVER_MAX_CONNECTIONS and RECEIVER_HEADERS_TIMEOUT_MS, and logs what it refuses', async () => {
    const run = cliRun({
      ...zoom.env(),
      CALENDLY_SIGNING_KEY: SIGNING_KEY,
      STORE_PATH: join(dir, 'bookings.db'),
      RECEIVER_MAX_CONNECTIONS: '2',
      RECEIVER_HEADERS_TIMEOUT_MS: '1000',
    });
    const exit = main(['serve', '--port', '0'], run.io);
    const url = String((await run.logged('receiver listening')).url);
    const opened = Date.now();
    const first = await rawConnection(url, 'POST /webhooks/calendly HTTP/1.1\r\nHost: x\r\n');
    const second = await rawConnection(url, 'POST /webhooks/calendly HTTP/1.1\r\nHost: x\r\n');
    // At the cap of 2, a whole request still gets in: the connection waiting longest makes room.
    expect((await send(url, { path: '/healthz' })).status).toBe(200);
    expect(await first.received).toBe('');
    // The other is answered 408 once its headers are a second late (checked every second).
    expect(await second.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - opened).toBeLessThan(3000);
    expect(
      await run.logged('the receiver is refusing work to stay within its limits'),
    ).toMatchObject({ level: 'warn', connectionsEvicted: 1 });
    run.stop.abort('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const env = { ...zoom.env(), CALENDLY_SIGNING_KEY: SIGNING_KEY, STORE_PATH: join(dir, 'db') };
    const first = cliRun(env);
    const exit = main(['serve', '--port', '0'], first.io);
    const { url } = await first.logged('receiver listening');
    const port = new URL(String(url)).port;

    const second = cliRun(env);
    expect(await main(['serve', '--port', port], second.io)).toBe(1);
    expect(second.stderr.join('')).toContain(`Cannot listen on 127.0.0.1:${port}`);

    first.stop.abort('SIGINT');
    expect(await exit).toBe(0);
  });
});

/** A raw connection that sends `head` (a partial request) and waits; `received` is what came back. */
async function rawConnection(
  url: string,
  head: string,
): Promise<Socket & { received: Promise<string>; text(): string }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const received = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await new Promise<void>((resolve) => socket.write(head, () => resolve()));
  return Object.assign(socket, { received, text: () => text });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
