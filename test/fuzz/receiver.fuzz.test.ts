import { mkdtempSync, rmSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCalendlyPayload } from '../../src/calendly/signature';
import { loadConfig } from '../../src/config';
import * as lifecycle from '../../src/lifecycle';
import { silentLogger } from '../../src/log';
import { createRuntime, type Runtime } from '../../src/runtime';
import { createReceiver, HEALTH_PATH, WEBHOOK_PATH } from '../../src/server/receiver';
import { startHttpServer, type RunningHttpServer } from '../../src/server/start-http-server';
import { keepNetworkLocal, noSleep } from '../e2e/e2e-kit';
import { countingStore } from '../support/counting-store';
import { startFakeZoomServer, type FakeZoomServer } from '../support/fake-zoom-server';
import { FUZZ_KEY, FUZZ_NOW, fuzzCases, type FuzzCase } from '../support/fuzz-cases';
import { send, type ReceivedResponse } from '../support/http-request';
import { prng } from '../support/lifecycle-sim';

// The receiver over real HTTP under hostile input: fuzzCases' random and mutated bodies, headers
// and signatures, plus what only HTTP can carry (methods, paths, oversized and chunked bodies,
// repeated headers, broken request lines, clients that vanish mid-body). Nothing may crash it or
// get a 5xx; nothing not validly signed may reach the lifecycle, the store or Zoom.

keepNetworkLocal();

const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const HTTP_CASES = Number(process.env.FUZZ_HTTP_CASES ?? 400);
const MAX_BODY_BYTES = 64 * 1024;
const IN_FLIGHT = 16;
/** A few seconds normally; generous for slow machines and --detectOpenHandles. */
const TIMEOUT_MS = 120_000;

let zoom: FakeZoomServer;
let dir: string;
let runtime: Runtime;
let server: RunningHttpServer;
let storeCalls: string[];
let handled: jest.SpyInstance;
const ran = { fuzz: 0, http: 0, answers: new Map<string, number>() };
const tally = (kind: string): void => void ran.answers.set(kind, (ran.answers.get(kind) ?? 0) + 1);

beforeAll(async () => {
  zoom = await startFakeZoomServer({ users: ['host@example.com'] });
  dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-fuzz-'));
  const config = loadConfig(
    {
      ...zoom.env(),
      CALENDLY_SIGNING_KEY: FUZZ_KEY,
      ZOOM_DEFAULT_HOST: 'host@example.com',
      STORE_PATH: join(dir, 'bookings.db'),
    },
    { signingKey: true, zoom: true },
  );
  runtime = createRuntime(config, { log: silentLogger, sleep: noSleep });
  const counted = countingStore(runtime.store);
  storeCalls = counted.calls;
  const receiver = createReceiver({
    deps: { ...runtime.lifecycle, store: counted.store },
    storeKind: 'sqlite',
    signingKeys: config.calendly.signingKeys,
    toleranceSeconds: config.signatureToleranceSeconds,
    log: silentLogger,
    maxBodyBytes: MAX_BODY_BYTES,
    // The cases are signed at FUZZ_NOW; the lifecycle keeps the real clock.
    now: () => FUZZ_NOW,
  });
  server = await startHttpServer(receiver.handle, {
    port: 0,
    host: '127.0.0.1',
    log: silentLogger,
  });
  handled = jest.spyOn(lifecycle, 'handleInviteeEvent');
}, TIMEOUT_MS);

afterAll(async () => {
  handled.mockRestore();
  await server.close();
  await runtime.close();
  await zoom.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `receiver fuzz: ${ran.fuzz} fuzzCases deliveries + ${ran.http} HTTP-level cases = ` +
      `${ran.fuzz + ran.http} requests; answers ${JSON.stringify(Object.fromEntries(ran.answers))}`,
  );
});

/**
 * Node's client refuses header values with control characters (and Node's server would answer them
 * 400 before the receiver saw them: an HTTP-level case below sends those raw), so here they are
 * dropped and the rest of the header is what the receiver gets to judge.
 */
const post = (c: Pick<FuzzCase, 'rawBody' | 'headers'>, path = WEBHOOK_PATH) =>
  send(server.url, { method: 'POST', path, headers: sendable(c.headers), body: c.rawBody });

function sendable(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      try {
        validateHeaderValue(name, value);
        return [name, value];
      } catch {
        return [name, value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')];
      }
    }),
  );
}

function postRaw(
  c: Pick<FuzzCase, 'rawBody' | 'headers'>,
  path: string,
): Promise<ReceivedResponse> {
  const head = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Content-Length: ${c.rawBody.length}`,
    'Connection: close',
    ...Object.entries(c.headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  return rawExchange(Buffer.concat([Buffer.from(`${head}\r\n\r\n`), c.rawBody]));
}

/** Runs `fn` over `items`, `IN_FLIGHT` at a time. */
async function inParallel<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

const cases = fuzzCases(11, CASES);
const forged = cases.filter((c) => !c.validlySigned);
const signed = cases.filter((c) => c.validlySigned);

describe(`the receiver under ${CASES} fuzzCases deliveries`, () => {
  it(
    'answers every unsigned, forged or stale delivery 401, and none reaches the lifecycle',
    async () => {
      const answers = await inParallel(forged, (c) => post(c));
      ran.fuzz += forged.length;
      for (const res of answers)
        tally(`forged ${res.status} ${String(res.body.reason ?? res.body.error ?? '')}`);
      const wrong = answers
        .map((res, i) => ({ res, c: forged[i] }))
        // Node's own parser refuses control characters in a header with a bare 400, before the
        // receiver sees the request: as much a refusal as the receiver's 401.
        .filter(({ res }) => !(res.status === 401 && res.body.error === 'invalid_signature'))
        .map(({ res, c }) => `${c?.label}: ${res.status} ${res.text.slice(0, 120)}`);
      expect(wrong).toEqual([]);
      expect(handled).not.toHaveBeenCalled();
      expect(storeCalls).toEqual([]);
      expect(zoom.requests).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'answers every signed body 200 with an outcome or 400 naming the field, never 5xx',
    async () => {
      const wrong: string[] = [];
      const seen = new Map<string, number>();
      // One at a time, so a 400 is known not to have reached the lifecycle.
      for (const c of signed) {
        const before = handled.mock.calls.length;
        const res = await post(c);
        ran.fuzz += 1;
        const reached = handled.mock.calls.length > before;
        const kind =
          res.status === 200
            ? `200 ${String(res.body.outcome)}`
            : `${res.status} ${String(res.body.error)}`;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        tally(`signed ${kind}`);
        const ok =
          (res.status === 200 && typeof res.body.outcome === 'string') ||
          (res.status === 400 && res.body.error === 'invalid_payload' && !reached);
        if (!ok) wrong.push(`${c.label}: ${res.status} ${res.text.slice(0, 160)}`);
      }
      expect(wrong).toEqual([]);
      // The mutations must still produce events the lifecycle acts on, or this proves little.
      expect(handled.mock.calls.length).toBeGreaterThan(signed.length / 20);
      expect([...seen.keys()].some((k) => k.startsWith('400'))).toBe(true);
    },
    TIMEOUT_MS,
  );
});

describe(`the receiver under ${HTTP_CASES} HTTP-level cases`, () => {
  const rand = prng(23);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const base = signed.slice(0, 50);
  const now = Math.floor(FUZZ_NOW / 1000);

  type HttpCase = { label: string; run: () => Promise<ReceivedResponse | null>; expect: number[] };
  const httpCases: HttpCase[] = Array.from({ length: HTTP_CASES }, (_, i): HttpCase => {
    const c = pick(base);
    const label = `http case ${i}`;
    switch (Math.floor(rand() * 9)) {
      case 0:
        return {
          label: `${label}: ${pick(['GET', 'PUT', 'DELETE', 'PATCH'])} on the webhook`,
          run: () =>
            send(server.url, {
              method: pick(['GET', 'PUT', 'DELETE', 'PATCH']),
              path: WEBHOOK_PATH,
            }),
          expect: [405],
        };
      case 1:
        return {
          label: `${label}: another path`,
          run: () =>
            post(c, pick(['/', '/webhooks', '/webhooks/calendly/x', '/%00', '/..%2f..%2fetc'])),
          expect: [404],
        };
      case 2: {
        // Over the limit, signed or not: refused before the signature is even checked.
        const big = Buffer.alloc(MAX_BODY_BYTES + 1 + Math.floor(rand() * 1000), 'a');
        const header = signCalendlyPayload(big, FUZZ_KEY, now);
        return {
          label: `${label}: ${big.length} bytes`,
          run: () =>
            post({ rawBody: big, headers: { 'calendly-webhook-signature': header } }).catch(
              // The receiver may close before the whole body is written.
              () => null,
            ),
          expect: [413, 0],
        };
      }
      case 3:
        return {
          label: `${label}: signed, sent chunked`,
          run: () =>
            send(server.url, {
              method: 'POST',
              path: WEBHOOK_PATH,
              headers: c.headers,
              chunks: chunksOf(c.rawBody, 1 + Math.floor(rand() * 7)),
            }),
          expect: [200, 400],
        };
      case 4:
        return {
          label: `${label}: a forged signature beside the good one`,
          run: () =>
            send(server.url, {
              method: 'POST',
              path: `${WEBHOOK_PATH}?source=${i}`,
              headers: {
                ...c.headers,
                'calendly-webhook-signature': `${signCalendlyPayload(c.rawBody, 'other-key', now)}, ${
                  c.headers['calendly-webhook-signature'] ??
                  c.headers['Calendly-Webhook-Signature'] ??
                  ''
                }`,
              },
              body: c.rawBody,
            }),
          // Two headers joined: parsed as one; accepting any matching v1 is the documented rule.
          expect: [200, 400, 401],
        };
      case 5:
        return {
          label: `${label}: signed with an unexpected content type`,
          run: () =>
            post({
              rawBody: c.rawBody,
              headers: {
                ...c.headers,
                'content-type': pick(['text/plain', 'application/x-www-form-urlencoded', '']),
              },
            }),
          expect: [200, 400],
        };
      case 6:
        return {
          label: `${label}: a broken request line`,
          run: () =>
            rawExchange(
              pick([
                'GARBAGE\r\n\r\n',
                'POST /webhooks/calendly HTTP/9.9\r\n\r\n',
                '\u0000\u0001\r\n\r\n',
              ]),
            ),
          // Node's parser answers these before the receiver sees anything.
          expect: [400, 505, 0],
        };
      case 7:
        return {
          label: `${label}: control characters in the signature header, sent raw`,
          run: () =>
            postRaw(
              {
                rawBody: c.rawBody,
                headers: { 'Calendly-Webhook-Signature': `t=${now},v1=\u0000${'0'.repeat(63)}` },
              },
              WEBHOOK_PATH,
            ),
          expect: [400],
        };
      default:
        return {
          label: `${label}: client gone mid-body`,
          run: () => abandonMidBody(c.rawBody),
          expect: [0],
        };
    }
  });

  it(
    'answers each as HTTP says (405, 404, 413, 200/400/401), never 5xx, and stays up',
    async () => {
      const wrong: string[] = [];
      await inParallel(httpCases, async (hc) => {
        const res = await hc.run();
        ran.http += 1;
        const status = res?.status ?? 0;
        if (!hc.expect.includes(status) || status >= 500) {
          wrong.push(`${hc.label}: ${status} ${res?.text.slice(0, 120) ?? ''}`);
        }
      });
      expect(wrong).toEqual([]);
      expect((await send(server.url, { path: HEALTH_PATH })).status).toBe(200);
    },
    TIMEOUT_MS,
  );
});

function chunksOf(body: Buffer, parts: number): Buffer[] {
  const size = Math.ceil(body.length / parts);
  return Array.from({ length: parts }, (_, i) => body.subarray(i * size, (i + 1) * size));
}

/** Writes raw bytes on a socket and reads the status line of whatever comes back (0: none). */
function rawExchange(bytes: string | Buffer): Promise<ReceivedResponse> {
  return new Promise((resolve) => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const json = text.slice(text.indexOf('\r\n\r\n') + 4);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(json) as Record<string, unknown>;
      } catch {
        // Node's own 400 has no body.
      }
      resolve({
        status: Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0),
        headers: {},
        text,
        body,
      });
    });
    socket.end(bytes);
  });
}

/** Starts a signed POST, sends half the body, then drops the connection. */
function abandonMidBody(body: Buffer): Promise<null> {
  return new Promise((resolve) => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.subarray(0, Math.floor(body.length / 2)), () => socket.destroy());
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(null));
  });
}
