import { createFetchHttpClient, HttpTransportError, type HttpClient } from '../../../src/http';
import {
  ZoomApiError,
  ZoomAuthError,
  ZoomDeadlineError,
  ZoomNetworkError,
  ZoomRateLimitError,
} from '../../../src/zoom/errors';
import {
  api,
  fixture,
  HOST,
  issueTokens,
  rejectionOf,
  TOKEN_BODY,
  tokenEndpoint,
  useNock,
  zoomHarness,
} from './zoom-test-kit';

useNock();

const MEETING_ID = '85746065432';
const meeting = fixture('get-meeting.response').body as object;
const created = fixture('create-meeting.response').body as object;
const expired = fixture('access-token-invalid.401');
const params = { topic: 'Intro', startTime: '2026-12-03T15:00:00Z', durationMinutes: 30 };

/** Counts requests to one API route and answers each with the next reply in `replies`. */
function route(
  method: 'get' | 'post',
  path: string | RegExp,
  replies: [number, unknown, object?][],
) {
  const seen = { requests: 0, authorizations: [] as string[] };
  const scope = api();
  for (const [status, body, headers] of replies) {
    scope[method](path).reply(function () {
      seen.requests += 1;
      seen.authorizations.push(String(this.req.headers.authorization));
      return [status, body as object, headers as Record<string, string>];
    });
  }
  return Object.assign(seen, { scope });
}

describe('401 from the API', () => {
  it('on code 124: drops the token, fetches one new token and retries once with it', async () => {
    const first = issueTokens(1, 'first-token');
    const second = issueTokens(1, 'second-token');
    const calls = route('get', `/v2/meetings/${MEETING_ID}`, [
      [401, expired.body],
      [200, meeting],
    ]);
    const { client, logs } = zoomHarness();

    await expect(client.getMeeting(MEETING_ID)).resolves.toMatchObject({ id: MEETING_ID });
    expect(first.requests + second.requests).toBe(2);
    expect(calls.authorizations).toEqual(['Bearer first-token', 'Bearer second-token']);
    expect(logs.some((l) => /fetching a new one/.test(l.message))).toBe(true);
    expect(calls.scope.isDone()).toBe(true);
  });

  it('on a second 401: fails with ZoomAuthError without trying again', async () => {
    const tokens = issueTokens(3);
    const calls = route('get', `/v2/meetings/${MEETING_ID}`, [
      [401, expired.body],
      [401, expired.body],
      [200, meeting],
    ]);

    const error = await rejectionOf(zoomHarness().client.getMeeting(MEETING_ID));

    expect(error).toBeInstanceOf(ZoomAuthError);
    expect(error).toMatchObject({ setting: 'token' });
    expect(error.cause).toBeInstanceOf(ZoomApiError);
    expect(tokens.requests).toBe(2);
    expect(calls.requests).toBe(2);
  });

  it('on a token fetched for this very call and no code 124: fails at once', async () => {
    issueTokens(1);
    const calls = route('get', `/v2/meetings/${MEETING_ID}`, [[401, { message: 'Unauthorized' }]]);

    const error = await rejectionOf(zoomHarness().client.getMeeting(MEETING_ID));

    expect(error).toBeInstanceOf(ZoomAuthError);
    expect(calls.requests).toBe(1);
  });

  it('on a cached token, whatever the code: refreshes once', async () => {
    const tokens = issueTokens(2);
    const calls = route('get', `/v2/meetings/${MEETING_ID}`, [
      [200, meeting],
      [401, { message: 'Unauthorized' }],
      [200, meeting],
    ]);
    const { client } = zoomHarness();
    await client.getMeeting(MEETING_ID);

    await expect(client.getMeeting(MEETING_ID)).resolves.toMatchObject({ id: MEETING_ID });
    expect(tokens.requests).toBe(2);
    expect(calls.requests).toBe(3);
  });
});

describe('missing scope', () => {
  const scopeError = {
    code: 4711,
    message: 'Invalid access token, does not contain scopes:[meeting:write:meeting:admin].',
  };

  it('fails with ZoomAuthError naming the scope to add', async () => {
    issueTokens(1);
    route('post', /\/meetings$/, [[400, scopeError]]);

    const error = await rejectionOf(zoomHarness().client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomAuthError);
    expect(error).toMatchObject({ setting: 'scopes' });
    expect(error.message).toMatch(/lacks the scope meeting:write:meeting:admin/);
  });

  it('tries once with a new token when the failing token came from the cache', async () => {
    const tokens = issueTokens(2);
    const meetings = route('get', `/v2/meetings/${MEETING_ID}`, [[200, meeting]]);
    const creates = route('post', /\/meetings$/, [
      [400, scopeError],
      [201, created],
    ]);
    const { client } = zoomHarness();
    await client.getMeeting(MEETING_ID);

    await expect(client.createMeeting(HOST, params)).resolves.toMatchObject({ id: MEETING_ID });
    expect(tokens.requests).toBe(2);
    expect(meetings.requests + creates.requests).toBe(3);
  });
});

describe.each([
  {
    kind: 'per-second',
    exchange: fixture('rate-limit.429.per-second'),
    daily: false,
    retried: true,
    retryAt: null,
    says: /per-second rate limit/,
  },
  {
    kind: 'daily account cap (Retry-After date)',
    exchange: fixture('rate-limit.429.daily-account'),
    daily: true,
    retried: false,
    retryAt: new Date('2026-11-27T00:00:00Z'),
    says: /daily request limit \(Heavy APIs\)/,
  },
  {
    kind: 'per-user 100 meeting creates/updates a day',
    exchange: fixture('rate-limit.429.meeting-user-daily'),
    daily: true,
    retried: false,
    retryAt: new Date('2026-11-27T00:00:00Z'),
    says: /100 meeting creates\/updates per day for one host.*host\.person@example\.com/,
  },
])('429: $kind', ({ exchange, daily, retried, retryAt, says }) => {
  const answer: [number, unknown, object] = [429, exchange.body, exchange.headers];

  it(`ends in ZoomRateLimitError (daily: ${daily}) ${retried ? 'after retrying until the deadline' : 'at once, without waiting'}`, async () => {
    issueTokens(1);
    const calls = route(
      'post',
      /\/meetings$/,
      Array.from({ length: 10 }, () => answer),
    );
    const { client, clock } = zoomHarness();

    const error = await rejectionOf(client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomRateLimitError);
    expect(error).toMatchObject({ daily, retryAt });
    expect(error.message).toMatch(says);
    expect(error.cause).toBeInstanceOf(ZoomApiError);
    if (retried) {
      expect(calls.requests).toBeGreaterThan(1);
      expect(clock.elapsed()).toBeLessThanOrEqual(25_000);
      expect((error as ZoomRateLimitError).retryAfterMs).toBeGreaterThan(0);
    } else {
      expect(calls.requests).toBe(1);
      expect(clock.sleeps).toEqual([]);
    }
  });

  if (retried) {
    it('retries a create (Zoom made nothing) and succeeds when the limit lifts', async () => {
      issueTokens(1);
      const calls = route('post', /\/meetings$/, [answer, [201, created]]);
      const { client, clock } = zoomHarness();

      await expect(client.createMeeting(HOST, params)).resolves.toMatchObject({ id: MEETING_ID });
      expect(calls.requests).toBe(2);
      expect(clock.sleeps).toHaveLength(1);
    });

    it('waits at least the Retry-After seconds when Zoom sends them', async () => {
      issueTokens(1);
      route('get', `/v2/meetings/${MEETING_ID}`, [
        [429, exchange.body, { ...exchange.headers, 'Retry-After': '3' }],
        [200, meeting],
      ]);
      const { client, clock } = zoomHarness();

      await client.getMeeting(MEETING_ID);

      expect(clock.sleeps).toEqual([3000 + 750]);
    });
  }
});

describe('5xx and network failures', () => {
  it.each([
    ['getMeeting (GET)', 'get', `/v2/meetings/${MEETING_ID}`, 200, meeting],
    ['updateMeeting (PATCH)', 'patch', `/v2/meetings/${MEETING_ID}`, 204, ''],
    ['deleteMeeting (DELETE)', 'delete', /\/v2\/meetings\/85746065432/, 204, ''],
  ] as const)('%s is retried after a 503', async (_name, method, path, okStatus, okBody) => {
    issueTokens(1);
    const scope = api();
    scope.intercept(path, method.toUpperCase()).reply(503, 'Service Unavailable');
    scope.intercept(path, method.toUpperCase()).reply(okStatus, okBody);
    const { client, clock } = zoomHarness();

    const calls = {
      get: () => client.getMeeting(MEETING_ID),
      patch: () => client.updateMeeting(MEETING_ID, { durationMinutes: 45 }),
      delete: () => client.deleteMeeting(MEETING_ID),
    };
    await expect(calls[method]()).resolves.not.toBeInstanceOf(Error);
    expect(scope.isDone()).toBe(true);
    expect(clock.sleeps).toEqual([750]);
  });

  it('a create is not retried after a 5xx: Zoom may have made the meeting', async () => {
    issueTokens(1);
    const calls = route('post', /\/meetings$/, [
      [502, 'Bad Gateway'],
      [201, created],
    ]);

    const error = await rejectionOf(zoomHarness().client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error).toMatchObject({ status: 502, transient: true });
    expect(error.message).toMatch(/not retried, because Zoom may have created the meeting/);
    expect(calls.requests).toBe(1);
  });

  it('a create is not retried after a network error', async () => {
    issueTokens(1);
    const scope = api()
      .post(/\/meetings$/)
      .replyWithError('socket hang up');

    const error = await rejectionOf(zoomHarness().client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomNetworkError);
    expect(error).toMatchObject({ timedOut: false });
    expect(error.cause).toBeInstanceOf(HttpTransportError);
    expect(scope.isDone()).toBe(true);
  });

  it('a create is not retried after a timeout', async () => {
    issueTokens(1);
    const fetchHttp = createFetchHttpClient();
    let creates = 0;
    const http: HttpClient = async (request) => {
      if (request.method !== 'POST' || request.url.includes('/oauth/')) return fetchHttp(request);
      creates += 1;
      throw new HttpTransportError('timed out', true);
    };

    const error = await rejectionOf(zoomHarness({ http }).client.createMeeting(HOST, params));

    expect(error).toBeInstanceOf(ZoomNetworkError);
    expect(error).toMatchObject({ timedOut: true });
    expect(creates).toBe(1);
  });

  it('a GET is retried after a network error', async () => {
    issueTokens(1);
    const scope = api()
      .get(`/v2/meetings/${MEETING_ID}`)
      .replyWithError('socket hang up')
      .get(`/v2/meetings/${MEETING_ID}`)
      .reply(200, meeting);

    await expect(zoomHarness().client.getMeeting(MEETING_ID)).resolves.toMatchObject({
      id: MEETING_ID,
    });
    expect(scope.isDone()).toBe(true);
  });

  it('a create may retry when the token endpoint failed, since nothing reached the API', async () => {
    tokenEndpoint().reply(503, 'Service Unavailable');
    issueTokens(1);
    const calls = route('post', /\/meetings$/, [[201, created]]);

    await expect(zoomHarness().client.createMeeting(HOST, params)).resolves.toMatchObject({
      id: MEETING_ID,
    });
    expect(calls.requests).toBe(1);
  });
});

describe('deadline', () => {
  it('stops retrying before the wait would pass the deadline, and says so', async () => {
    issueTokens(1);
    const calls = route(
      'get',
      `/v2/meetings/${MEETING_ID}`,
      Array.from({ length: 10 }, () => [503, 'Service Unavailable'] as [number, unknown]),
    );
    const { client, clock } = zoomHarness({ deadlineMs: 5000 });

    const error = await rejectionOf(client.getMeeting(MEETING_ID));

    // Waits of 750 and 1500 ms fit; the next (3000 ms) would end at 5250 ms.
    expect(clock.sleeps).toEqual([750, 1500]);
    expect(calls.requests).toBe(3);
    expect(clock.elapsed()).toBeLessThanOrEqual(5000);
    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error.message).toMatch(/gave up after 3 attempt\(s\) to stay within the 5 s deadline/);
  });

  it('gives up at once on a per-second 429 whose Retry-After is past the deadline', async () => {
    issueTokens(1);
    const perSecond = fixture('rate-limit.429.per-second');
    route('get', `/v2/meetings/${MEETING_ID}`, [
      [429, perSecond.body, { ...perSecond.headers, 'Retry-After': '60' }],
    ]);
    const { client, clock } = zoomHarness();

    const error = await rejectionOf(client.getMeeting(MEETING_ID));

    expect(error).toBeInstanceOf(ZoomRateLimitError);
    expect(error).toMatchObject({ daily: false, retryAfterMs: 60_000 });
    expect(clock.sleeps).toEqual([]);
  });

  it('sends no retry once the deadline has passed: a 401 answered after it ends the call unsent', async () => {
    issueTokens(2);
    const { client, clock } = zoomHarness({ deadlineMs: 10_000 });
    let posts = 0;
    api()
      .post(`/v2/users/${encodeURIComponent(HOST)}/meetings`)
      .times(2)
      .reply(() => {
        posts += 1;
        // The process stalled (or its clock jumped) while the request was out.
        clock.advance(61_000);
        return [401, expired.body];
      });

    const error = await rejectionOf(client.createMeeting(HOST, params));

    expect(posts).toBe(1);
    expect(error).toBeInstanceOf(ZoomDeadlineError);
    expect(error).toBeInstanceOf(ZoomNetworkError);
    expect(error.message).toMatch(/deadline passed before another attempt could be sent/);
  });

  it("sends nothing when the caller's deadlineAt has passed by the time a token is in hand", async () => {
    const { client, clock } = zoomHarness();
    tokenEndpoint().reply(() => {
      clock.advance(30_000);
      return [200, TOKEN_BODY];
    });
    const calls = route('post', /\/meetings$/, [[201, created]]);

    const error = await rejectionOf(
      client.createMeeting(HOST, params, { deadlineAt: clock.now() + 20_000 }),
    );

    expect(error).toBeInstanceOf(ZoomDeadlineError);
    expect(error.message).toMatch(/before the request could be sent/);
    expect(calls.requests).toBe(0);
  });

  it("cuts a create's attempt to the caller's deadlineAt", async () => {
    issueTokens(1);
    const seen: number[] = [];
    const http: HttpClient = async (request) => {
      if (request.method === 'POST' && /\/meetings$/.test(request.url)) {
        seen.push(request.timeoutMs ?? -1);
      }
      return createFetchHttpClient()(request);
    };
    const { client, clock } = zoomHarness({ http, requestTimeoutMs: 10_000 });
    route('post', /\/meetings$/, [[201, created]]);

    await client.createMeeting(HOST, params, { deadlineAt: clock.now() + 4_000 });

    expect(seen).toEqual([4_000]);
  });
});
