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
import { deliver, send } from '../../support/http-request';
import { harness, type Harness } from '../../support/lifecycle-harness';

const KEY = 'receiver-unit-signing-key';

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
    let claimed!: () => void;
    const arrived = new Promise<void>((resolve) => (claimed = resolve));
    let release!: (value: ClaimResult) => void;
    jest.spyOn(h.store, 'claimCreate').mockImplementation(() => {
      claimed();
      return new Promise<ClaimResult>((resolve) => (release = resolve));
    });

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

describe('GET /healthz', () => {
  beforeEach(() => start());

  it('answers 200 with the store kind when the store answers', async () => {
    const res = await send(server.url, { path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, store: 'sqlite' });
  });

  it('answers 503 when the store does not, without saying why to the caller', async () => {
    jest
      .spyOn(h.store, 'ping')
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
