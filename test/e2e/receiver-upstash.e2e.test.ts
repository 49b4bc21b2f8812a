import type IORedis from 'ioredis';
import { loadConfig } from '../../src/config';
import { startReceiver, type RunningReceiver } from '../../src/server/start-receiver';
import { DEFAULT_PREFIX } from '../../src/store/upstash';
import {
  buildInviteeCanceled,
  buildInviteeCreated,
  scheduledEventUri,
} from '../support/calendly-payloads';
import { startFakeZoomServer, type FakeZoomServer } from '../support/fake-zoom-server';
import { deliver, send } from '../support/http-request';
import { deleteKeysByPrefix, rawRedis } from '../support/redis-test-env';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
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

// The receiver on the production store: Upstash's REST protocol, served by the bridge in front of
// the local redis-server, which the test can take down.

keepNetworkLocal();

let bridge: UpstashBridge;
let redis: IORedis;
let zoom: FakeZoomServer;
let receiver: RunningReceiver;
let logs: LogCapture;
/** Key prefixes this test wrote under, removed afterwards (the store's prefix is shared). */
let written: string[];

beforeAll(async () => {
  bridge = await startUpstashBridge();
  redis = rawRedis();
});

afterAll(async () => {
  await bridge.close();
  redis.disconnect();
});

beforeEach(async () => {
  zoom = await startFakeZoomServer({ users: ['host@example.com'] });
  logs = captureLogs();
  written = [`${DEFAULT_PREFIX}zoom-token:zoom-token:${zoom.credentials.accountId}:`];
  const config = loadConfig(
    {
      ...zoom.env(),
      CALENDLY_SIGNING_KEY: SIGNING_KEY,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
    },
    { signingKey: true, zoom: true },
  );
  receiver = await startReceiver(config, { log: logs.log, port: 0, sleep: noSleep });
});

afterEach(async () => {
  bridge.setDown(false);
  await receiver.close();
  await zoom.close();
  for (const prefix of written) await deleteKeysByPrefix(redis, prefix);
  expect(leakedSecrets(logs.lines, secretsOf(zoom, [bridge.token]))).toEqual([]);
});

function booking() {
  const b = newBooking();
  written.push(
    `${DEFAULT_PREFIX}booking:${b.eventUuid}`,
    `${DEFAULT_PREFIX}invitee:${scheduledEventUri(b.eventUuid)}`,
  );
  return b;
}

const post = (body: unknown) => deliver(receiver.url, body, { signingKey: SIGNING_KEY });

it('creates, deduplicates and cancels through Upstash', async () => {
  const b = booking();
  expect((await post(buildInviteeCreated(b))).body.outcome).toBe('created');
  expect((await post(buildInviteeCreated(b))).body.outcome).toBe('duplicate');
  expect((await post(buildInviteeCanceled(b))).body.outcome).toBe('cancelled');
  expect(zoom.requestsTo('createMeeting')).toHaveLength(1);
  expect(zoom.liveMeetings()).toEqual([]);
});

it('answers 503 with Retry-After while the store is down, and nothing is made in Zoom', async () => {
  const b = booking();
  bridge.setDown(true);
  const res = await post(buildInviteeCreated(b));
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('30');
  expect(res.body.error).toBe('store');
  expect(zoom.requestsTo('createMeeting')).toEqual([]);

  bridge.setDown(false);
  const redelivered = await post(buildInviteeCreated(b));
  expect(redelivered.status).toBe(200);
  expect(redelivered.body.outcome).toBe('created');
  expect(zoom.liveMeetings()).toHaveLength(1);
});

it('answers /healthz 200 while the store answers and 503 while it does not', async () => {
  const up = await send(receiver.url, { path: '/healthz' });
  expect(up.status).toBe(200);
  expect(up.body).toEqual({ ok: true, store: 'upstash' });

  bridge.setDown(true);
  const down = await send(receiver.url, { path: '/healthz' });
  expect(down.status).toBe(503);
  expect(down.body).toMatchObject({ ok: false, store: 'upstash' });

  bridge.setDown(false);
  expect((await send(receiver.url, { path: '/healthz' })).status).toBe(200);
});
