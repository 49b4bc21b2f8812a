// Shared set-up for the Zapier app's tests: the app under createAppTester, the connection's
// values, nock helpers for Calendly and Zoom, and the Upstash bridge for the booking store.
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import * as core from 'zapier-platform-core';
import { createAppTester, type Bundle, type ZObject } from 'zapier-platform-core';
import App from '../../index';
import { createUpstashBookingStore } from '../../src/store/upstash';
import type { BookingStore } from '../../src/store/booking-store';
import { signedDelivery, type InviteeWebhookBody } from '../support/calendly-payloads';
import { deleteKeysByPrefix, rawRedis } from '../support/redis-test-env';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';

export { App };

export const CALENDLY = 'https://api.calendly.com';
export const ZOOM_API = 'https://api.zoom.us';
export const ZOOM_OAUTH = 'https://zoom.us';

/** Distinctive values, so a test can search logs for them. */
export const SECRET = {
  calendlyToken: 'cal-pat-SECRET-0123456789abcdef',
  zoomAccountId: 'zoom-account-7',
  zoomClientId: 'zoom-client-7',
  zoomClientSecret: 'zoom-client-SECRET-fedcba9876543210',
  zoomAccessToken: 'zoom-access-TOKEN-a1b2c3d4e5f6',
  startUrl: 'https://us06web.zoom.us/s/85746065432?zak=ZAK-HOST-SECRET-1234567890',
} as const;

export const ORGANIZATION = `${CALENDLY}/organizations/org-1`;
export const CALENDLY_USER = `${CALENDLY}/users/user-1`;
export const HOST = 'host@example.com';

export type Connection = Record<
  | 'calendly_token'
  | 'zoom_account_id'
  | 'zoom_client_id'
  | 'zoom_client_secret'
  | 'upstash_url'
  | 'upstash_token',
  string
>;

export function connection(bridge: Pick<UpstashBridge, 'url' | 'token'>): Connection {
  return {
    calendly_token: SECRET.calendlyToken,
    zoom_account_id: SECRET.zoomAccountId,
    zoom_client_id: SECRET.zoomClientId,
    zoom_client_secret: SECRET.zoomClientSecret,
    upstash_url: bridge.url,
    upstash_token: bridge.token,
  };
}

/** What tests hand a step: the parts of a bundle they are about. */
export interface BundleInput {
  authData?: Record<string, string>;
  inputData?: Record<string, unknown>;
  rawRequest?: Bundle['rawRequest'];
  subscribeData?: { id: string } & Record<string, unknown>;
  targetUrl?: string;
}

export type Run = (perform: unknown, bundle: BundleInput) => Promise<unknown>;

/**
 * Runs a step as Zapier would (createAppTester). Each tester has its own z.cache, so a test that
 * makes a new one starts without a cached Zoom token; steps run on one tester share it.
 */
export function tester(): Run {
  const appTester = createAppTester(App);
  return (perform, bundle) => {
    // The app's declared types make every perform optional (a request object may stand in).
    if (typeof perform !== 'function') throw new Error('expected a perform function');
    return appTester(perform as (z: ZObject, bundle: Bundle) => Promise<unknown>, bundle);
  };
}

type Handler = (event: Record<string, unknown>) => Promise<{ results: unknown }>;
// createAppHandler is what Zapier (and `zapier-platform validate`) runs; its types omit it.
export const { createAppHandler } = core as unknown as {
  createAppHandler: (app: object) => Handler;
};

export type Logged = { message: string; data: Record<string, unknown> };

/**
 * Runs steps the way Zapier's runtime does, by method path, keeping every log line it would ship.
 * Unlike createAppTester it hands z.cursor a local store, so paging dropdowns can run.
 */
export function runtime() {
  const handler = createAppHandler(App);
  const logged: Logged[] = [];
  const zcacheTestObj = {};
  const cursorTestObj = {};
  const run = async (method: string, bundle: Record<string, unknown>): Promise<unknown> => {
    const { results } = await handler({
      command: 'execute',
      method,
      bundle,
      storeKey: 'test-store-key',
      zcacheTestObj,
      cursorTestObj,
      customLogger: (message: string, data: Record<string, unknown>) =>
        logged.push({ message, data }),
    });
    return results;
  };
  return { run, logged };
}

/**
 * Calendly and Zoom are nock'd; only the local Upstash bridge may be reached for real. z.console
 * also prints to the console; the tests that care about logs capture them, the rest stay quiet.
 */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  beforeEach(() => {
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation(() => undefined);
    }
  });
  afterEach(() => {
    nock.abortPendingRequests();
    nock.cleanAll();
    jest.restoreAllMocks();
  });
  afterAll(() => {
    nock.enableNetConnect();
    // nock patches Node's http module, which outlives this file's module registry: left active,
    // its interceptor would also see the next file's requests (and emit their errors twice).
    nock.restore();
  });
}

/** Starts the Upstash bridge for the file; the bookings a test makes are removed after it. */
export function useBridge() {
  const state: { bridge: UpstashBridge | null } = { bridge: null };
  const eventUuids = new Set<string>();
  const redis = rawRedis();
  beforeAll(async () => {
    state.bridge = await startUpstashBridge();
  });
  afterEach(async () => {
    for (const uuid of eventUuids) {
      await redis.del(`cz:booking:${uuid}`);
      await deleteKeysByPrefix(redis, `cz:invitee:${CALENDLY}/scheduled_events/${uuid}`);
    }
    eventUuids.clear();
  });
  afterAll(async () => {
    await state.bridge?.close();
    await redis.quit();
  });
  return {
    get bridge(): UpstashBridge {
      if (state.bridge === null) throw new Error('the bridge starts in beforeAll');
      return state.bridge;
    },
    /** A fresh scheduled-event UUID whose keys are cleaned up after the test. */
    newEventUuid(): string {
      const uuid = randomUUID();
      eventUuids.add(uuid);
      return uuid;
    },
    store(): BookingStore {
      if (state.bridge === null) throw new Error('the bridge starts in beforeAll');
      return createUpstashBookingStore({ url: state.bridge.url, token: state.bridge.token });
    },
  };
}

export function eventUri(uuid: string): string {
  return `${CALENDLY}/scheduled_events/${uuid}`;
}

export function inviteeUri(eventUuid: string, inviteeUuid = 'inv-1'): string {
  return `${eventUri(eventUuid)}/invitees/${inviteeUuid}`;
}

/** The token endpoint, answering `times` times with SECRET.zoomAccessToken. */
export function zoomToken(times = 1): nock.Scope {
  return nock(ZOOM_OAUTH)
    .post('/oauth/token')
    .query({ grant_type: 'account_credentials', account_id: SECRET.zoomAccountId })
    .times(times)
    .reply(200, {
      access_token: SECRET.zoomAccessToken,
      token_type: 'bearer',
      expires_in: 3599,
      scope: 'meeting:write:meeting:admin',
    });
}

/** Zoom's API, expecting our access token on every call. */
export function zoomApi(): nock.Scope {
  return nock(ZOOM_API, { reqheaders: { authorization: `Bearer ${SECRET.zoomAccessToken}` } });
}

export function zoomMeeting(id = '85746065432', overrides: Record<string, unknown> = {}) {
  return {
    id: Number(id),
    host_id: 'KDcuGIm1QgePTO8WbOqwIQ',
    topic: '30 Minute Consultation with Jane Doe',
    type: 2,
    start_time: '2026-03-10T14:00:00Z',
    duration: 30,
    timezone: 'UTC',
    agenda: null,
    start_url: SECRET.startUrl,
    join_url: `https://us06web.zoom.us/j/${id}?pwd=join`,
    password: 'k7Pq2x',
    ...overrides,
  };
}

/** Calendly's API, expecting the connection's token. */
export function calendlyApi(): nock.Scope {
  return nock(CALENDLY, { reqheaders: { authorization: `Bearer ${SECRET.calendlyToken}` } });
}

export function calendlyMe(scope = calendlyApi()): nock.Scope {
  return scope.get('/users/me').reply(200, {
    resource: {
      uri: CALENDLY_USER,
      name: 'Harriet Host',
      email: HOST,
      timezone: 'America/New_York',
      current_organization: ORGANIZATION,
    },
  });
}

/**
 * A booking as Calendly's API has it: a webhook payload is the invitee resource with its scheduled
 * event inside, so Get Event Invitee and Get Event answer with its two parts.
 */
export function apiResources(body: InviteeWebhookBody) {
  const { scheduled_event: scheduledEvent, ...invitee } = body.payload;
  const [eventUuid, inviteeUuid] =
    invitee.uri.split('/scheduled_events/')[1]?.split('/invitees/') ?? [];
  return { invitee, scheduledEvent, eventUuid, inviteeUuid };
}

/** Calendly's API for one booking, as Get Event Invitee and Get Event answer it. */
export function calendlyBooking(body: InviteeWebhookBody, times = 1): nock.Scope {
  const { invitee, scheduledEvent, eventUuid, inviteeUuid } = apiResources(body);
  return calendlyApi()
    .get(`/scheduled_events/${eventUuid}/invitees/${inviteeUuid}`)
    .times(times)
    .reply(200, { resource: invitee })
    .get(`/scheduled_events/${eventUuid}`)
    .times(times)
    .reply(200, { resource: scheduledEvent });
}

/** `bundle.rawRequest` as Zapier builds it: raw body, headers prefixed `Http-` and re-cased. */
export function rawRequest(
  body: unknown,
  signingKey: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const { rawBody, header } = signedDelivery(body, { signingKey, timestamp });
  return {
    method: 'POST' as const,
    querystring: '',
    headers: { 'Content-Type': 'application/json', 'Http-Calendly-Webhook-Signature': header },
    content: rawBody,
  };
}

/** What a Zapier error carries: its class and the JSON-encoded message of core's AppError. */
export async function zapierErrorOf(promise: Promise<unknown>): Promise<{
  name: string;
  message: string;
  detail: Record<string, unknown>;
}> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    let detail: Record<string, unknown> = {};
    try {
      detail = JSON.parse(error.message) as Record<string, unknown>;
    } catch {
      // Not every Zapier error class JSON-encodes its message (HaltedError, ExpiredAuthError).
    }
    return { name: error.name, message: error.message, detail };
  }
  throw new Error('expected the step to fail, but it succeeded');
}

/** A hook trigger's functions. The app's type is the union of every kind of trigger operation. */
export function hookOperation(key: keyof typeof App.triggers): {
  perform: unknown;
  performList: unknown;
  performSubscribe: unknown;
  performUnsubscribe: unknown;
} {
  const operation: object = App.triggers[key].operation;
  if (!('performSubscribe' in operation)) throw new Error(`${key} is not a REST hook trigger`);
  return operation as ReturnType<typeof hookOperation>;
}

/** Every line z.console printed in this test (useNock silences and records the console). */
export function consoleLines(): string[] {
  return (['log', 'warn', 'error'] as const).flatMap((level) =>
    jest.mocked(console[level]).mock.calls.map((args) => args.map(String).join(' ')),
  );
}
