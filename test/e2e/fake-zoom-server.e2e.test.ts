import { createFetchHttpClient } from '../../src/http';
import { createZoomClient, type ZoomClient } from '../../src/zoom/client';
import { ZoomApiError, ZoomAuthError, ZoomNetworkError } from '../../src/zoom/errors';
import { createZoomTokenProvider } from '../../src/zoom/token';
import { startFakeZoomServer, zoomFaults, type FakeZoomServer } from '../support/fake-zoom-server';
import { keepNetworkLocal, noSleep } from './e2e-kit';

// The HTTP fake of Zoom, held to what the real Zoom client expects of Zoom, so that suites built on
// it (receiver e2e, chaos) test the engine and not the fake.

keepNetworkLocal();

let zoom: FakeZoomServer;
let client: ZoomClient;

beforeEach(async () => {
  zoom = await startFakeZoomServer({ users: ['host@example.com', 'other@example.com'] });
  const http = createFetchHttpClient();
  client = createZoomClient({
    http,
    tokens: createZoomTokenProvider({
      credentials: zoom.credentials,
      http,
      oauthUrl: zoom.oauthUrl,
    }),
    apiUrl: zoom.apiUrl,
    sleep: noSleep,
  });
});

afterEach(() => zoom.close());

const params = {
  topic: 'Intro',
  startTime: '2026-12-03T15:00:00.000Z',
  durationMinutes: 30,
  agenda: '[Calendly booking https://api.calendly.com/scheduled_events/ev-1]',
};

it('creates, reads, moves and deletes a meeting, with one token for all of it', async () => {
  const made = await client.createMeeting('host@example.com', params);
  expect(made).toMatchObject({
    id: expect.stringMatching(/^\d{11}$/),
    topic: 'Intro',
    startTime: '2026-12-03T15:00:00Z',
    durationMinutes: 30,
    startUrl: expect.stringContaining('zak='),
  });
  await client.updateMeeting(made.id, { startTime: '2026-12-04T09:00:00.000Z' });
  expect((await client.getMeeting(made.id)).startTime).toBe('2026-12-04T09:00:00Z');
  expect(await client.deleteMeeting(made.id)).toEqual({ status: 'deleted' });
  expect(await client.deleteMeeting(made.id)).toEqual({ status: 'already_gone' });
  expect(zoom.liveMeetings()).toEqual([]);
  expect(zoom.requestsTo('token')).toHaveLength(1);
});

it("finds a meeting by its agenda marker among one host's meetings", async () => {
  await client.createMeeting('other@example.com', params);
  const mine = await client.createMeeting('host@example.com', params);
  await client.createMeeting('host@example.com', { ...params, agenda: 'something else' });
  const found = await client.findMeetingByMarker('host@example.com', params.agenda);
  expect(found?.id).toBe(mine.id);
  expect(found?.startUrl).toContain('zak=');
});

it('answers users by email or id, and 1001 for strangers', async () => {
  const user = await client.getUser('HOST@example.com');
  expect(user).toMatchObject({ email: 'host@example.com', status: 'active' });
  expect(await client.getUser(user.id)).toEqual(user);
  await expect(client.getUser('nobody@example.com')).rejects.toMatchObject({ code: 1001 });
  await expect(client.createMeeting('nobody@example.com', params)).rejects.toMatchObject({
    status: 404,
    code: 1001,
  });
  expect((await client.listUsers()).map((u) => u.email)).toEqual([
    'host@example.com',
    'other@example.com',
  ]);
});

it('revoked tokens get 401 code 124, and the client refreshes once', async () => {
  await client.getUser('host@example.com');
  zoom.revokeTokens();
  await client.getUser('host@example.com');
  expect(zoom.issuedTokens).toHaveLength(2);
  expect(zoom.requestsTo('getUser').map((r) => r.status)).toEqual([200, 401, 200]);
});

it('refuses wrong credentials the way Zoom does', async () => {
  const http = createFetchHttpClient();
  const wrong = createZoomClient({
    http,
    tokens: createZoomTokenProvider({
      credentials: { ...zoom.credentials, clientSecret: 'not-it' },
      http,
      oauthUrl: zoom.oauthUrl,
    }),
    apiUrl: zoom.apiUrl,
  });
  await expect(wrong.getUser('host@example.com')).rejects.toMatchObject({
    name: ZoomAuthError.name,
    setting: 'client_credentials',
  });
});

describe('faults', () => {
  it('answers the injected status the given number of times, then recovers', async () => {
    zoom.failNext('getUser', zoomFaults.perSecondLimit(1), 2);
    await client.getUser('host@example.com');
    expect(zoom.requestsTo('getUser').map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('classifies as Zoom would: daily limits are daily, 5xx is transient', async () => {
    zoom.failNext('createMeeting', zoomFaults.dailyUserLimit());
    await expect(client.createMeeting('host@example.com', params)).rejects.toMatchObject({
      daily: true,
    });
    zoom.failNext('createMeeting', zoomFaults.serverError(503));
    const error: unknown = await client.createMeeting('host@example.com', params).catch((e) => e);
    expect(error).toBeInstanceOf(ZoomApiError);
    expect((error as ZoomApiError).transient).toBe(true);
  });

  it('drops the connection before or after the operation took effect', async () => {
    zoom.failNext('createMeeting', zoomFaults.reset());
    await expect(client.createMeeting('host@example.com', params)).rejects.toThrow(
      ZoomNetworkError,
    );
    expect(zoom.liveMeetings()).toEqual([]);

    zoom.failNext('createMeeting', zoomFaults.resetAfterEffect());
    await expect(client.createMeeting('host@example.com', params)).rejects.toThrow(
      ZoomNetworkError,
    );
    expect(zoom.liveMeetings()).toHaveLength(1);
  });

  it('asks a fault picker when nothing is queued', async () => {
    zoom.faultPicker = (route) => (route === 'getUser' ? zoomFaults.serverError(500) : null);
    await expect(client.getUser('host@example.com')).rejects.toMatchObject({ status: 500 });
    zoom.faultPicker = null;
    await expect(client.getUser('host@example.com')).resolves.toMatchObject({
      email: 'host@example.com',
    });
  });

  it('holds a request until released', async () => {
    const held = zoom.hold('createMeeting');
    const pending = client.createMeeting('host@example.com', params);
    await held.arrived;
    expect(zoom.liveMeetings()).toEqual([]);
    held.release();
    await pending;
    expect(zoom.liveMeetings()).toHaveLength(1);
  });
});
