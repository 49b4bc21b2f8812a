// How many deliveries a second does one receiver acknowledge, and how fast? The receiver runs as
// its own process (`calendly-zoom serve`, as users run it) on SQLite and on Upstash through the
// bridge; this process plays Calendly (50 deliveries in flight) and Zoom (answering after 20 ms).
// The upper bound beside it: a bare node:http process that only verifies the signature and
// answers 200. Target: >= 300 deliveries/s with p99 < 250 ms.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { signCalendlyPayload } from '../src/calendly/signature';
import { buildInviteeCreated, locations } from '../test/support/calendly-payloads';
import { startFakeZoomServer } from '../test/support/fake-zoom-server';
import { deleteKeysByPrefix, rawRedis } from '../test/support/redis-test-env';
import { startUpstashBridge } from '../test/support/upstash-bridge';
import type { BenchResult } from './run';
import { percentile } from './stats';

const DELIVERIES = 1500;
const WARMUP = 200;
const CONCURRENCY = 50;
const ZOOM_LATENCY_MS = 20;
const MIN_RATE = 300;
const MAX_P99_MS = 250;
const KEY = randomBytes(24).toString('base64url');
const MAIN = resolve(__dirname, '../src/cli/main.js');

const BARE_SERVER = `
const http = require('node:http');
const { verifyCalendlySignature } = require(process.argv[1]);
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      verifyCalendlySignature({ rawBody: Buffer.concat(chunks), header: req.headers, signingKeys: process.argv[2] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"ok"}');
    } catch { res.writeHead(401).end(); }
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write('PORT ' + this.address().port + '\\n'); });
`;

export async function receiverBench(): Promise<BenchResult> {
  const metrics: Record<string, number> = {};
  const targets: BenchResult['targets'] = {};
  let pass = true;

  const bare = await runProcess(
    process.execPath,
    ['-e', BARE_SERVER, resolve(__dirname, '../src/calendly/signature.js'), KEY],
    {},
    /PORT (\d+)/,
  );
  try {
    const r = await drive(bare.port);
    metrics.bare_http_per_sec = r.rate;
    metrics.bare_http_p99_ms = r.p99;
  } finally {
    bare.child.kill('SIGTERM');
  }

  const bridge = await startUpstashBridge();
  const redis = rawRedis();
  try {
    for (const store of ['sqlite', 'upstash'] as const) {
      const zoom = await startFakeZoomServer({ latencyMs: ZOOM_LATENCY_MS });
      const dir = mkdtempSync(join(tmpdir(), 'cz-receiver-bench-'));
      const env: Record<string, string> = {
        ...zoom.env(),
        CALENDLY_SIGNING_KEY: KEY,
        ZOOM_DEFAULT_HOST: 'host@example.com',
        STORE_PATH: join(dir, 'bench.db'),
        ...(store === 'upstash'
          ? { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token }
          : {}),
      };
      const receiver = await runProcess(
        process.execPath,
        [MAIN, 'serve', '--port', '0'],
        env,
        /127\.0\.0\.1:(\d+)/,
      );
      try {
        const r = await drive(receiver.port, '/webhooks/calendly');
        metrics[`${store}_per_sec`] = r.rate;
        metrics[`${store}_median_ms`] = r.median;
        metrics[`${store}_p99_ms`] = r.p99;
        metrics[`${store}_vs_bare`] =
          Math.round((r.rate / (metrics.bare_http_per_sec ?? NaN)) * 1000) / 1000;
        metrics[`${store}_non_200`] = r.failures;
        targets[`${store}_per_sec`] = { min: MIN_RATE };
        targets[`${store}_p99_ms`] = { max: MAX_P99_MS };
        targets[`${store}_non_200`] = { max: 0 };
        pass &&= r.rate >= MIN_RATE && r.p99 <= MAX_P99_MS && r.failures === 0;
      } finally {
        receiver.child.kill('SIGTERM');
        await zoom.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await deleteKeysByPrefix(redis, 'cz:');
    await redis.quit();
    await bridge.close();
  }
  return { name: 'receiver (50 in flight, Zoom 20 ms)', metrics, targets, pass };
}

/**
 * Sends DELIVERIES signed bookings, CONCURRENCY at a time, after an untimed warm-up (first Zoom
 * token, JIT, store connections); steady-state rate and acknowledgement latency.
 */
async function drive(port: number, path = '/') {
  await send(port, path, WARMUP);
  return send(port, path, DELIVERIES);
}

async function send(port: number, path: string, count: number) {
  const run = randomBytes(4).toString('hex');
  const bodies = Array.from({ length: count }, (_, i) =>
    JSON.stringify(
      buildInviteeCreated({
        eventUuid: `bench-${run}-${i}`,
        inviteeUuid: `inv-${run}-${i}`,
        start: '2026-12-01T15:00:00Z',
        location: locations.custom(),
      }),
    ),
  );
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const header = signCalendlyPayload(body, KEY, Math.floor(Date.now() / 1000));
        const t0 = performance.now();
        const status = await post(port, path, body, header);
        latencies.push(performance.now() - t0);
        if (status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    rate: Math.round(count / seconds),
    median: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    failures,
  };
}

function post(port: number, path: string, body: string, signature: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'calendly-webhook-signature': signature },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** Starts a process and waits for the line that says which port it listens on. */
function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  portPattern: RegExp,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`no port from ${args[0]}: ${seen}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = portPattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        done({ child, port: Number(match[1]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (seen += c.toString()));
    child.on('exit', (code) => fail(new Error(`${args[0]} exited ${code}: ${seen}`)));
  });
}
