import { HttpTransportError } from '../../../src/http';
import type { ZoomFailure } from '../../../src/zoom/failure';
import {
  BASE_DELAY_MS,
  delayMs,
  MAX_ATTEMPTS,
  MAX_DELAY_MS,
  shouldRetry,
  type RetryContext,
} from '../../../src/zoom/retry-policy';

const body = { code: null, message: '', fieldErrors: [] };
const failures = {
  expiredToken: { kind: 'unauthorized', status: 401, ...body, code: 124 },
  other401: { kind: 'unauthorized', status: 401, ...body },
  missingScope: { kind: 'missing_scope', status: 400, scopes: ['a:b'], ...body, code: 4711 },
  perSecond: {
    kind: 'rate_limited',
    status: 429,
    limit: { daily: false, retryAfterMs: null, category: null },
    ...body,
  },
  daily: {
    kind: 'rate_limited',
    status: 429,
    limit: { daily: true, scope: 'account', retryAt: null, category: null },
    ...body,
  },
  server: { kind: 'server', status: 503, ...body },
  network: { kind: 'network', timedOut: true, error: new HttpTransportError('x', true) },
  tokenUnavailable: { kind: 'token_unavailable', error: new Error('x') },
  client: { kind: 'client', status: 400, ...body, code: 300 },
} satisfies Record<string, ZoomFailure>;

const first: RetryContext = {
  idempotent: true,
  attempts: 1,
  tokenRefreshed: false,
  tokenFromCache: false,
};
const create: RetryContext = { ...first, idempotent: false };

describe('shouldRetry', () => {
  it.each([
    ['401 code 124: refresh the token once', failures.expiredToken, first, 'refresh_token'],
    [
      '401 on a cached token: refresh once',
      failures.other401,
      { ...first, tokenFromCache: true },
      'refresh_token',
    ],
    ['401 (not 124) on a fresh token: fail', failures.other401, first, 'fail'],
    [
      '401 on a token fetched for this call after a refresh: fail',
      failures.expiredToken,
      { ...first, tokenRefreshed: true },
      'fail',
    ],
    [
      "401 after a refresh on another process's token from the shared cache: refresh again",
      failures.expiredToken,
      { ...first, attempts: 2, tokenRefreshed: true, tokenFromCache: true },
      'refresh_token',
    ],
    [
      '401 on shared-cache tokens up to the attempt cap: fail',
      failures.expiredToken,
      { ...first, attempts: 10, tokenRefreshed: true, tokenFromCache: true },
      'fail',
    ],
    [
      'missing scope on a cached token: refresh once',
      failures.missingScope,
      { ...first, tokenFromCache: true },
      'refresh_token',
    ],
    ['missing scope on a fresh token: fail', failures.missingScope, first, 'fail'],
    ['per-second 429: retry', failures.perSecond, first, 'retry'],
    ['per-second 429 on a create: retry (Zoom did nothing)', failures.perSecond, create, 'retry'],
    ['daily 429: fail at once', failures.daily, first, 'fail'],
    ['5xx on an idempotent call: retry', failures.server, first, 'retry'],
    ['5xx on a create: fail', failures.server, create, 'fail'],
    ['network error on an idempotent call: retry', failures.network, first, 'retry'],
    ['network error on a create: fail', failures.network, create, 'fail'],
    ['token endpoint down, even for a create: retry', failures.tokenUnavailable, create, 'retry'],
    ['other 4xx: fail', failures.client, first, 'fail'],
    [
      '5xx once attempts reach the cap: fail',
      failures.server,
      { ...first, attempts: MAX_ATTEMPTS },
      'fail',
    ],
  ] as const)('%s', (_name, failure, context, decision) => {
    expect(shouldRetry(failure, context)).toBe(decision);
  });
});

describe('delayMs', () => {
  const middle = () => 0.5;

  it('doubles with each retry', () => {
    expect([1, 2, 3].map((n) => delayMs(n, null, middle))).toEqual([750, 1500, 3000]);
  });

  it('never exceeds the cap', () => {
    expect(delayMs(20, null, () => 0.999999)).toBeLessThanOrEqual(MAX_DELAY_MS);
  });

  it('keeps jitter between half and all of the back-off step', () => {
    expect(delayMs(1, null, () => 0)).toBe(BASE_DELAY_MS / 2);
    expect(delayMs(1, null, () => 0.999999)).toBe(BASE_DELAY_MS);
  });

  it("waits Zoom's Retry-After first, then the back-off", () => {
    expect(delayMs(1, 2000, middle)).toBe(2000 + 750);
  });
});
