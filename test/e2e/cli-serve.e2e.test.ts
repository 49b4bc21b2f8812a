import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../../src/config';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/command';
import { buildInviteeCreated } from '../support/calendly-payloads';
import { startFakeZoomServer, type FakeZoomServer } from '../support/fake-zoom-server';
import { deliver, send } from '../support/http-request';
import { keepNetworkLocal, leakedSecrets, newBooking, secretsOf, SIGNING_KEY } from './e2e-kit';

// `calendly-zoom serve` through the real CLI entry point, in process: argument and config checks,
// what it prints, and shutdown on the signal main() wires to SIGTERM/SIGINT.

keepNetworkLocal();

interface Run {
  io: CliIo;
  stdout: string[];
  stderr: string[];
  stop: AbortController;
  /** Resolves with the first stdout log line whose message is `message`. */
  logged(message: string): Promise<Record<string, unknown>>;
}

function cliRun(env: Env): Run {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const watchers: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  const stop = new AbortController();
  const parsed = (text: string): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    stdout,
    stderr,
    stop,
    io: {
      stdout: (text) => {
        stdout.push(text);
        for (const line of parsed(text)) {
          for (const w of watchers.filter((w) => w.message === line.message)) w.resolve(line);
        }
      },
      stderr: (text) => stderr.push(text),
      env,
      isTTY: false,
      now: Date.now,
      signal: stop.signal,
    },
    logged(message) {
      const seen = parsed(stdout.join('')).find((line) => line.message === message);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => watchers.push({ message, resolve }));
    },
  };
}

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
