import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { createFetchHttpClient, type HttpClient } from '../../../src/http';
import type { LogFields } from '../../../src/log';
import { createZoomClient, type ZoomClientOptions } from '../../../src/zoom/client';
import { createZoomTokenProvider, type ZoomCredentials } from '../../../src/zoom/token';
import { createMemoryTokenCache, type TokenCache } from '../../../src/zoom/token-cache';

/** One recorded exchange from test/fixtures/zoom (`{request?, status, headers, body}`). */
export interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function fixture<T = Exchange>(name: string): T {
  const path = join(__dirname, '../../fixtures/zoom', `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const ZOOM_API = 'https://api.zoom.us';
export const ZOOM_OAUTH = 'https://zoom.us';

/** Base64 of these is the Authorization header in oauth-token.response.json. */
export const CREDENTIALS: ZoomCredentials = {
  accountId: 'Wk9PTV9BQ0NPVU5UX0lE',
  clientId: 'ZOOM_CLIENT_ID',
  clientSecret: 'ZOOM_CLIENT_SECRET',
};

const tokenExchange = fixture<Exchange & { body: { access_token: string } }>(
  'oauth-token.response',
);
export const TOKEN_BODY = tokenExchange.body;
export const ACCESS_TOKEN = tokenExchange.body.access_token;
export const HOST = 'host.person@example.com';

/** Time starts at a fixed instant and moves only when a test (or a fake sleep) moves it. */
export function fakeClock(start = Date.parse('2026-11-26T20:00:00Z')) {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
    async sleep(ms: number) {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
    elapsed: () => time - start,
  };
}

/** The token endpoint as the provider calls it. */
export function tokenEndpoint(): nock.Interceptor {
  return nock(ZOOM_OAUTH)
    .post('/oauth/token')
    .query({ grant_type: 'account_credentials', account_id: CREDENTIALS.accountId });
}

/** Answers the token endpoint `times` times with `token`, counting the requests. */
export function issueTokens(times = 1, token = ACCESS_TOKEN) {
  const counter = { requests: 0 };
  const scope = tokenEndpoint()
    .times(times)
    .reply(200, () => {
      counter.requests += 1;
      return { ...TOKEN_BODY, access_token: token };
    });
  return Object.assign(counter, { scope });
}

export function api(): nock.Scope {
  return nock(ZOOM_API);
}

export interface LogLine {
  level: 'info' | 'warn';
  message: string;
  fields: LogFields | undefined;
}

/** A client over real fetch (intercepted by nock), a fake clock and a log that records lines. */
export function zoomHarness(
  options: Partial<ZoomClientOptions> & { http?: HttpClient; tokenCache?: TokenCache } = {},
) {
  const { tokenCache, ...clientOptions } = options;
  const clock = fakeClock();
  const logs: LogLine[] = [];
  const http = options.http ?? createFetchHttpClient();
  const tokens =
    options.tokens ??
    createZoomTokenProvider({
      credentials: CREDENTIALS,
      http,
      now: options.now ?? clock.now,
      ...(tokenCache ? { cache: tokenCache } : {}),
    });
  const client = createZoomClient({
    http,
    tokens,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    log: {
      info: (message, fields) => logs.push({ level: 'info', message, fields }),
      warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    },
    ...clientOptions,
  });
  return { client, clock, logs, tokens };
}

/** A shared token cache (Upstash's part in a fleet) that counts its reads; `inner` is what it wraps. */
export function countingTokenCache(now: () => number) {
  const inner = createMemoryTokenCache({ now });
  const reads = { count: 0 };
  const cache: TokenCache = {
    get: (key) => {
      reads.count += 1;
      return inner.get(key);
    },
    set: (key, value, ttl) => inner.set(key, value, ttl),
    delete: (key) => inner.delete(key),
    deleteIf: (key, token) => inner.deleteIf!(key, token),
  };
  return { cache, inner, reads };
}

/** The settled error of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());
}
