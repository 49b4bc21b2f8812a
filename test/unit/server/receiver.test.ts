import * as lifecycle from '../../../src/lifecycle';
import { createJsonLogger } from '../../../src/log';
import { StoreError } from '../../../src/store/errors';
import type { ClaimResult } from '../../../src/store/booking-store';
import { ZoomApiError, ZoomAuthError, ZoomRateLimitError } from '../../../src/zoom/errors';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../../src/server/receiver';
import { startHttpServer, type RunningHttpServer } from '../../../src/server/start-http-server';
import {
  buildInviteeCreated,
  DEFAULT_EVENT_UUID,
  inviteeUri,
  scheduledEventUri,
} from '../../support/calendly-payloads';
import { request } from 'node:http';
import nock from 'nock';
import { deliver, send } from '../../support/http-request';
import { harness, type Harness } from '../../support/lifecycle-harness';

const KEY = 'receiver-unit-signing-key';

// Some tests hold real sockets half-written; nock (loaded for every file) would buffer them.
beforeAll(() => nock.restore());

let h: Harness;
let receiver: Receiver;
let server: RunningHttpServer;
let logs: Record<string, unknown>[];

async function start(options: Partial<ReceiverOptions> = {}): Promise<void> {
  h = harness();
  logs = [];
  const log = createJsonLogger((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  receiver = createReceiver({
    deps: { ...h.deps, log },
    storeKind: 'sqlite',
    signingKeys: [KEY],
    toleranceSeconds: 300,
    log,
    ...options,
  });
  server = await startHttpServer(receiver.handle, { port: 0, host: '127.0.0.1', log });
}

afterEach(async () => {
  await server.close();
  await receiver.idle();
  jest.restoreAllMocks();
});

const nowSeconds = (): number => Math.floor(h.clock.now / 1000);
const post = (body: unknown, options: Partial<Parameters<typeof deliver>[2]> = {}) =>
  deliver(server.url, body, { signingKey: KEY, timestamp: nowSeconds(), ...options });
const requestLines = () => logs.filter((l) => l.message === 'request');

/** The store's claim waits until the test releases it: work that hangs mid-lifecycle. */
function holdClaimCreate(): { arrived: Promise<void>; release: (result: ClaimResult) => void } {
  let claimed!: () => void;
  const arrived = new Promise<void>((resolve) => (claimed = resolve));
  let release!: (result: ClaimResult) => void;
  jest.spyOn(h.store, 'claimCreate').mockImplementation(() => {
    claimed();
    return new Promise<ClaimResult>((resolve) => (release = resolve));
  });
  return { arrived, release: (result) => release(result) };
}

describe('POST /webhooks/calendly', () => {
  beforeEach(() => start());

  it('answers 200 with the outcome once the meeting is made, without the start URL', async () => {
    const res = await post(buildInviteeCreated());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      outcome: 'created',
      message: expect.any(String),
      eventUuid: DEFAULT_EVENT_UUID,
      meetingId: expect.stringMatching(/^\d+$/),
      joinUrl: expect.stringContaining('https://zoom.example/j/'),
    });
    expect(res.text).not.toContain('zak=');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });

  it('answers 200 duplicate for the same delivery again', async () => {
    await post(buildInviteeCreated());
    const res = await post(buildInviteeCreated());
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('duplicate');
    expect(h.zoom.liveMeetings()).toHaveLength(1);
  });

  describe('signature failures answer 401 and never reach the lifecycle', () => {
    const body = buildInviteeCreated();
    it.each<[string, () => Parameters<typeof post>[1]]>([
      ['missing_header', () => ({ signature: null })],
      ['malformed_header', () => ({ signature: 't=yesterday,v1=abc' })],
      ['timestamp_too_old', () => ({ timestamp: nowSeconds() - 301 })],
      ['timestamp_in_future', () => ({ timestamp: nowSeconds() + 301 })],
      ['signature_mismatch', () => ({ signingKey: 'somebody-elses-key' })],
    ])('%s', async (reason, options) => {
      const handled = jest.spyOn(lifecycle, 'handleInviteeEvent');
      const res = await post(body, options());
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid_signature', reason });
      expect(handled).not.toHaveBeenCalled();
      expect(h.zoom.calls).toEqual([]);
      expect(requestLines()).toEqual([
        expect.objectContaining({ level: 'warn', status: 401, reason }),
      ]);
    });

    it('checks the signature before parsing: an unsigned non-JSON body is 401, not 400', async () => {
      const res = await post('not json', { signature: null });
      expect(res.status).toBe(401);
    });
  });

  describe('a signed body that is not a Calendly invitee event answers 400 naming the field', () => {
    it.each<[string, unknown, string, RegExp]>([
      ['not JSON', '{"event": "invitee.created", ', '(body)', /not valid JSON/],
      ['a JSON array', '[1, 2]', '(body)', /must be an object/],
      ['no event name', { payload: {} }, 'event', /event is missing/],
      ['no payload', { event: 'invitee.created' }, 'payload', /payload/],
      [
        'no scheduled event',
        { event: 'invitee.created', payload: { uri: inviteeUri('e', 'i') } },
        'payload.scheduled_event',
        /payload\.scheduled_event/,
      ],
    ])('%s', async (_name, body, field, message) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field });
      expect(res.body.message).toMatch(message);
      expect(h.zoom.calls).toEqual([]);
    });
  });

  it.each(['invitee_no_show.created', 'routing_form_submission.created'])(
    'answers 200 ignored for %s so Calendly stops retrying',
    async (eventType) => {
      const res = await post({ event: eventType, payload: {} });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'ignored', eventType });
      expect(h.zoom.calls).toEqual([]);
    },
  );

  describe('failures in the lifecycle', () => {
    it.each<[string, Error, number, string | undefined]>([
      ['the store is down', new StoreError('Upstash store: claimCreate failed'), 503, '30'],
      ['Zoom fails on its side', new ZoomApiError(503, null, 'Zoom failed'), 503, '30'],
      [
        'a Zoom per-second limit',
        new ZoomRateLimitError('QPS', { daily: false, retryAfterMs: 4000, retryAt: null }),
        503,
        '4',
      ],
      [
        'Zoom credentials are wrong',
        new ZoomAuthError('Zoom rejected the Client ID', 'client_credentials'),
        500,
        undefined,
      ],
      [
        'Zoom refuses the request',
        new ZoomApiError(400, 300, 'invalid start_time'),
        500,
        undefined,
      ],
    ])('%s → %i', async (_name, error, status, retryAfter) => {
      jest.spyOn(h.zoom, 'createMeeting').mockRejectedValue(error);
      const res = await post(buildInviteeCreated());
      expect(res.status).toBe(status);
      expect(res.headers['retry-after']).toBe(retryAfter);
      expect(requestLines()).toEqual([
        expect.objectContaining({
          status,
          eventUuid: DEFAULT_EVENT_UUID,
          error: expect.any(String),
        }),
      ]);
    });

    it('answers 503 with Retry-After while another delivery holds the booking', async () => {
      const busy = await h.store.claimCreate({
        eventUuid: DEFAULT_EVENT_UUID,
        eventUri: scheduledEventUri(DEFAULT_EVENT_UUID),
        inviteeUri: inviteeUri(DEFAULT_EVENT_UUID, 'other-invitee'),
        owner: 'another-worker',
        now: h.clock.now,
        leaseMs: 60_000,
        startTime: '2026-03-10T14:00:00Z',
        durationMinutes: 30,
        reschedule: null,
        rescheduleMode: 'recreate',
      });
      expect(busy.type).toBe('claimed');
      const res = await post(buildInviteeCreated());
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('10');
      expect(res.body.outcome).toBe('in_progress');
    });

    it('answers 503 and logs an error naming the limit when a Zoom daily limit is hit', async () => {
      const retryAt = new Date(h.clock.now + 600_000);
      jest
        .spyOn(h.zoom, 'createMeeting')
        .mockRejectedValue(
          new ZoomRateLimitError(
            "Zoom's limit of 100 meeting creates/updates per day for one host is used up.",
            { daily: true, retryAfterMs: 600_000, retryAt },
          ),
        );
      const res = await post(buildInviteeCreated());
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('600');
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: expect.stringContaining('daily rate limit'),
          detail: expect.stringContaining('100 meeting creates/updates per day'),
          eventUuid: DEFAULT_EVENT_UUID,
        }),
      );
    });

    it('answers 500 and logs an error when the booking has no Zoom host and no default host', async () => {
      const res = await post(buildInviteeCreated({ hostEmails: [] }));
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({
        error: 'configuration',
        message: expect.stringContaining('ZOOM_DEFAULT_HOST'),
      });
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: expect.stringContaining('Configuration problem'),
        }),
      );
    });
  });
});

describe('routing', () => {
  beforeEach(() => start());

  it.each([
    ['GET', '/webhooks/calendly', 405, 'POST'],
    ['PUT', '/webhooks/calendly', 405, 'POST'],
    ['POST', '/healthz', 405, 'GET, HEAD'],
    ['GET', '/', 404, undefined],
    ['POST', '/webhooks/calendly/extra', 404, undefined],
  ])('%s %s → %i', async (method, path, status, allow) => {
    const res = await send(server.url, { method, path });
    expect(res.status).toBe(status);
    expect(res.headers.allow).toBe(allow);
    expect(h.zoom.calls).toEqual([]);
  });

  it('ignores a query string on the webhook path and keeps it out of the log', async () => {
    const res = await post(buildInviteeCreated(), { path: '/webhooks/calendly?token=abc' });
    expect(res.status).toBe(200);
    expect(requestLines()[0]).toMatchObject({ path: '/webhooks/calendly' });
    expect(JSON.stringify(logs)).not.toContain('token=abc');
  });
});

describe('request ids and the request log', () => {
  beforeEach(() => start());

  it('answers X-Request-Id and logs one line with it, the outcome and the booking', async () => {
    const res = await post(buildInviteeCreated());
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLines()).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        message: 'request',
        requestId: id,
        method: 'POST',
        path: '/webhooks/calendly',
        status: 200,
        outcome: 'created',
        eventUuid: DEFAULT_EVENT_UUID,
        meetingId: res.body.meetingId,
        durationMs: expect.any(Number),
      },
    ]);
    // The lifecycle's own lines carry the request id too.
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'booking handled', requestId: id }),
    );
  });

  it("keeps a proxy's request id, and replaces one that could forge log content", async () => {
    const kept = await send(server.url, {
      path: '/healthz',
      headers: { 'x-request-id': 'edge-1234.abc' },
    });
    expect(kept.headers['x-request-id']).toBe('edge-1234.abc');
    const replaced = await send(server.url, {
      path: '/healthz',
      headers: { 'x-request-id': 'a"b} {"level":"x' },
    });
    expect(replaced.headers['x-request-id']).not.toContain('"');
  });

  it('puts the request id in error answers', async () => {
    const res = await post(buildInviteeCreated(), { signature: null });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });
});

describe('body size', () => {
  beforeEach(() => start({ maxBodyBytes: 1024 }));

  it('answers 413 from Content-Length alone, before reading or verifying anything', async () => {
    const handled = jest.spyOn(lifecycle, 'handleInviteeEvent');
    const res = await post('x'.repeat(1025));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large', limitBytes: 1024 });
    expect(res.headers.connection).toBe('close');
    expect(handled).not.toHaveBeenCalled();
  });

  it('answers 413 to a chunked body as soon as it passes the limit', async () => {
    const res = await send(server.url, {
      method: 'POST',
      path: '/webhooks/calendly',
      chunks: ['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)],
    });
    expect(res.status).toBe(413);
  });

  it('reads a body of exactly the limit (and then checks its signature)', async () => {
    const res = await post('x'.repeat(1024), { signature: null });
    expect(res.status).toBe(401);
  });
});

describe('a fast chunked upload over the limit', () => {
  beforeEach(() => start());

  it('receives its 413, not a reset, and the connection then closes', async () => {
    // 8 MiB against the default 1 MiB: more than loopback buffers, so closing with bytes unread
    // resets the connection under the client's feet.
    const result = await uploadChunked(`${server.url}/webhooks/calendly`, 8 * 1024 * 1024);
    expect(result).toEqual({
      status: 413,
      connection: 'close',
      error: null,
      body: expect.any(Object),
    });
    expect(result.body).toMatchObject({ error: 'payload_too_large', limitBytes: 1024 * 1024 });
    expect(requestLines()).toEqual([expect.objectContaining({ status: 413 })]);
  });
});

/** Streams `total` bytes as fast as the socket takes them; reports the answer and any error. */
function uploadChunked(
  url: string,
  total: number,
): Promise<{ status: number; connection: unknown; error: string | null; body: unknown }> {
  return new Promise((resolve) => {
    let status = 0;
    let connection: unknown;
    let text = '';
    let error: string | null = null;
    let ended = false;
    const finish = (): void => {
      if (!ended) return;
      resolve({ status, connection, error, body: text ? (JSON.parse(text) as unknown) : null });
    };
    const req = request(new URL(url), { method: 'POST', agent: false }, (res) => {
      status = res.statusCode ?? 0;
      connection = res.headers.connection;
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
      res.on('close', () => {
        ended = true;
        // An error on the request side (a reset while still sending) lands just after.
        setTimeout(finish, 50);
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
      ended = true;
      setTimeout(finish, 50);
    });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < total; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

describe('the byte budget shared by all requests', () => {
  beforeEach(() => start({ maxBufferedBytes: 4096 }));

  it('answers 503 receiver_busy once it is spent, in the refusal line, not a request line each', async () => {
    const handled = jest.spyOn(lifecycle, 'handleInviteeEvent');
    const res = await post('x'.repeat(5000), { signature: null });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ error: 'receiver_busy' });
    expect(handled).not.toHaveBeenCalled();
    expect(requestLines()).toEqual([]);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'the receiver is refusing work to stay within its limits',
        bodiesRefused: 1,
      }),
    ]);
  });

  it('gives the bytes back after each request, so later deliveries are read', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await post(buildInviteeCreated({ eventUuid: `ev-${i}` }))).status).toBe(200);
    }
  });
});

describe('hostile signed bodies', () => {
  beforeEach(() => start());

  it('answers 400 naming the field to 200,000 levels of nesting in an answer, never 500', async () => {
    const raw = JSON.stringify(buildInviteeCreated()).replace(
      '"Onboarding questions"',
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
    );
    const res = await post(raw);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'invalid_payload',
      field: 'payload.questions_and_answers[0].answer',
      rule: 'not_string',
    });
    expect(h.zoom.calls).toEqual([]);
  });

  it.each<[string, (body: ReturnType<typeof buildInviteeCreated>) => void, string, string]>([
    [
      'a start_time carrying text',
      (b) => (b.payload.scheduled_event.start_time = 'TOKEN-a1b2c3 is not a time'),
      'payload.scheduled_event.start_time',
      'not_date_time',
    ],
    [
      'an event URI on another host',
      (b) => (b.payload.scheduled_event.uri = 'https://evil.example/x?token=TOKEN-a1b2c3'),
      'payload.scheduled_event.uri',
      'not_calendly_uri',
    ],
  ])(
    'refuses %s naming field and rule, never echoing it in the answer or the log',
    async (_label, mutate, field, rule) => {
      const body = buildInviteeCreated();
      mutate(body);
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_payload', field, rule });
      expect(requestLines()).toEqual([expect.objectContaining({ status: 400, field, rule })]);
      expect(res.text + JSON.stringify(logs)).not.toMatch(/TOKEN-a1b2c3|evil\.example/);
      expect(h.zoom.calls).toEqual([]);
    },
  );

  it('holds URIs to the configured Calendly API host', async () => {
    await server.close();
    await start({ calendlyApiUrl: 'http://127.0.0.1:4010' });
    const res = await post(buildInviteeCreated());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'payload.scheduled_event.uri' });
  });
});

describe('the hard per-request timeout', () => {
  it('answers 503 instead of hanging, and logs how the late work ended', async () => {
    const timers: (() => void)[] = [];
    await start({
      requestTimeoutMs: 12_000,
      startTimer: (_ms, onTimeout) => {
        timers.push(onTimeout);
        return () => undefined;
      },
    });
    const { arrived, release } = holdClaimCreate();

    const pending = post(buildInviteeCreated());
    await arrived;
    expect(timers).toHaveLength(1);
    timers[0]?.();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toMatchObject({ error: 'request_timeout' });

    release({ type: 'in_progress', record: (await h.store.get(DEFAULT_EVENT_UUID))! });
    await receiver.idle();
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'request finished after its timeout',
        outcome: 'in_progress',
      }),
    );
  });
});

describe('abandoning requests at the end of a shutdown', () => {
  beforeEach(() => start());

  it('answers 503 at once to a request whose work hangs, and logs it with its booking', async () => {
    const { arrived, release } = holdClaimCreate();
    const pending = post(buildInviteeCreated());
    await arrived;
    expect(receiver.inFlight()).toBe(1);

    expect(receiver.abandon()).toBe(1);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'shutting_down' });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'shutdown abandons a request whose work is not done',
        eventUuid: DEFAULT_EVENT_UUID,
        stage: 'working',
      }),
    );

    release({ type: 'in_progress', record: (await h.store.get(DEFAULT_EVENT_UUID))! });
    await receiver.idle();
    expect(receiver.inFlight()).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'request finished after shutdown abandoned it',
        eventUuid: DEFAULT_EVENT_UUID,
        outcome: 'in_progress',
      }),
    );
  });

  it('answers a request whose body never completes, and it settles once its connection goes', async () => {
    const req = request(new URL('/webhooks/calendly', server.url), {
      method: 'POST',
      agent: false,
      headers: { 'content-length': '1000' },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
    });
    req.write('{"event":');
    await until(() => receiver.inFlight() === 1);

    expect(receiver.abandon()).toBe(1);
    expect(await answered).toBe(503);
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'shutdown abandons a request whose work is not done',
        stage: 'reading_body',
        eventUuid: null,
      }),
    );
    req.destroy();
    await receiver.idle();
    expect(receiver.inFlight()).toBe(0);
  });
});

describe('GET /healthz', () => {
  beforeEach(() => start());

  it('answers 200 with the store kind when the store answers', async () => {
    const res = await send(server.url, { path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, store: 'sqlite' });
  });

  it('answers 503 when the store does not, without saying why to the caller', async () => {
    jest
      .spyOn(h.store, 'probe')
      .mockRejectedValue(new StoreError('Upstash store: ping failed: ECONNREFUSED 10.0.0.7'));
    const res = await send(server.url, { path: '/healthz' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, store: 'sqlite' });
    expect(res.text).not.toContain('10.0.0.7');
    expect(requestLines()[0]).toMatchObject({
      status: 503,
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('answers HEAD without a body', async () => {
    const res = await send(server.url, { method: 'HEAD', path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
