import { ConfigError } from '../../../src/errors';
import { createFetchHttpClient } from '../../../src/http';
import { ZoomApiError, ZoomAuthError, ZoomNetworkError } from '../../../src/zoom/errors';
import {
  createZoomTokenProvider,
  LOCAL_TOKEN_COPY_MS,
  zoomTokenCacheKey,
  type ZoomTokenProviderOptions,
} from '../../../src/zoom/token';
import { createMemoryTokenCache, type TokenCache } from '../../../src/zoom/token-cache';
import {
  ACCESS_TOKEN,
  countingTokenCache,
  CREDENTIALS,
  fakeClock,
  fixture,
  issueTokens,
  rejectionOf,
  TOKEN_BODY,
  tokenEndpoint,
  useNock,
} from './zoom-test-kit';

useNock();

const MINUTE = 60_000;

function provider(overrides: Partial<ZoomTokenProviderOptions> = {}) {
  const clock = fakeClock();
  const tokens = createZoomTokenProvider({
    credentials: CREDENTIALS,
    http: createFetchHttpClient(),
    now: clock.now,
    ...overrides,
  });
  return { clock, tokens };
}

describe('token request', () => {
  it('POSTs account_credentials with the account id in the query and Basic client_id:client_secret', async () => {
    const { request } = fixture<{ request: { headers: { Authorization: string } } }>(
      'oauth-token.response',
    );
    const scope = tokenEndpoint()
      .matchHeader('authorization', request.headers.Authorization)
      .reply(200, TOKEN_BODY);

    const token = await provider().tokens.getToken();

    expect(token).toMatchObject({ accessToken: ACCESS_TOKEN, fromCache: false });
    expect(scope.isDone()).toBe(true);
  });
});

describe('token cache', () => {
  it('reuses the cached token across calls', async () => {
    const issued = issueTokens(1);
    const { tokens } = provider();

    const first = await tokens.getToken();
    const second = await tokens.getToken();

    expect(issued.requests).toBe(1);
    expect(first.fromCache).toBe(false);
    expect(second).toMatchObject({ accessToken: ACCESS_TOKEN, fromCache: true });
    expect(issued.scope.isDone()).toBe(true);
  });

  it('fetches a new token 55 minutes after a 3600 s token was issued, not before', async () => {
    const scope = tokenEndpoint()
      .reply(200, { ...TOKEN_BODY, expires_in: 3600, access_token: 'first' })
      .post('/oauth/token')
      .query(true)
      .reply(200, { ...TOKEN_BODY, expires_in: 3600, access_token: 'second' });
    const { tokens, clock } = provider();
    await tokens.getToken();

    clock.advance(55 * MINUTE - 1);
    await expect(tokens.getToken()).resolves.toMatchObject({
      accessToken: 'first',
      fromCache: true,
    });
    clock.advance(1);
    await expect(tokens.getToken()).resolves.toMatchObject({
      accessToken: 'second',
      fromCache: false,
    });
    expect(scope.isDone()).toBe(true);
  });

  it('makes exactly one token request for 100 concurrent calls on a cold cache', async () => {
    const issued = issueTokens(1);
    const { tokens } = provider();

    const results = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));

    expect(issued.requests).toBe(1);
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set([ACCESS_TOKEN]));
    expect(issued.scope.isDone()).toBe(true);
  });

  it('uses a token another process left in a shared cache without asking Zoom', async () => {
    const clock = fakeClock();
    const shared = createMemoryTokenCache({ now: clock.now });
    await shared.set(
      zoomTokenCacheKey(CREDENTIALS),
      { accessToken: 'from-elsewhere', expiresAt: clock.now() + 60 * MINUTE },
      55 * MINUTE,
    );

    const { tokens } = provider({ cache: shared, now: clock.now });

    await expect(tokens.getToken()).resolves.toMatchObject({
      accessToken: 'from-elsewhere',
      fromCache: true,
    });
  });

  it('ignores a malformed value in a shared cache and fetches a token', async () => {
    const issued = issueTokens(1);
    const odd: TokenCache = {
      get: async () => ({ accessToken: 42 }) as never,
      set: async () => undefined,
      delete: async () => undefined,
    };

    await expect(provider({ cache: odd }).tokens.getToken()).resolves.toMatchObject({
      accessToken: ACCESS_TOKEN,
    });
    expect(issued.requests).toBe(1);
  });

  it('keys the cache by account id and client id, with the client secret only hashed', () => {
    const key = zoomTokenCacheKey(CREDENTIALS);
    const rotated = zoomTokenCacheKey({ ...CREDENTIALS, clientSecret: 'NEW_SECRET' });

    expect(key).toContain(CREDENTIALS.accountId);
    expect(key).toContain(CREDENTIALS.clientId);
    expect(key).not.toContain(CREDENTIALS.clientSecret);
    expect(rotated).not.toBe(key);
  });
});

describe('invalidate', () => {
  it('drops the cached token so the next call fetches a new one', async () => {
    const first = issueTokens(1, 'old');
    const { tokens } = provider();
    await tokens.getToken();
    const second = issueTokens(1, 'new');

    await tokens.invalidate('old');

    await expect(tokens.getToken()).resolves.toMatchObject({
      accessToken: 'new',
      fromCache: false,
    });
    expect(first.requests + second.requests).toBe(2);
  });

  it('leaves a newer token in place when asked to drop an older one', async () => {
    const issued = issueTokens(1, 'current');
    const { tokens } = provider();
    await tokens.getToken();

    await tokens.invalidate('stale');

    await expect(tokens.getToken()).resolves.toMatchObject({
      accessToken: 'current',
      fromCache: true,
    });
    expect(issued.requests).toBe(1);
  });
});

describe('the shared cache (Upstash across a fleet)', () => {
  it('is read once per 30 s at most: each Zoom call in between costs no round trip', async () => {
    const clock = fakeClock();
    const { cache, reads } = countingTokenCache(clock.now);
    issueTokens(1);
    const { tokens } = provider({ cache, now: clock.now });

    await tokens.getToken();
    for (let i = 0; i < 5; i++) await tokens.getToken();
    expect(reads.count).toBe(1);

    clock.advance(LOCAL_TOKEN_COPY_MS + 1);
    await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: ACCESS_TOKEN });
    expect(reads.count).toBe(2);
  });

  it('loses a rejected token from the cache, so other instances stop using it', async () => {
    const clock = fakeClock();
    const { cache, inner } = countingTokenCache(clock.now);
    issueTokens(1, 'revoked');
    const { tokens } = provider({ cache, now: clock.now });
    await tokens.getToken();

    await tokens.invalidate('revoked');

    expect(await inner.get(zoomTokenCacheKey(CREDENTIALS))).toBeUndefined();
  });

  it('keeps a newer token another instance stored: only the rejected one is deleted', async () => {
    const clock = fakeClock();
    const { cache, inner } = countingTokenCache(clock.now);
    issueTokens(1, 'revoked');
    const { tokens } = provider({ cache, now: clock.now });
    await tokens.getToken();
    const key = zoomTokenCacheKey(CREDENTIALS);
    const newer = { accessToken: 'newer', expiresAt: clock.now() + 60 * MINUTE };
    await inner.set(key, newer, 55 * MINUTE);

    await tokens.invalidate('revoked');

    expect(await inner.get(key)).toEqual(newer);
    await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: 'newer' });
  });
});

describe('token endpoint failures', () => {
  const errors = fixture<{ case: string; status: number; body: unknown }[]>('oauth-token.errors');
  const fromFixture = (word: string) => {
    const found = errors.find((e) => e.case.includes(word));
    if (!found) throw new Error(`no fixture case mentioning ${word}`);
    return found;
  };

  describe.each([
    {
      name: 'invalid_client',
      exchange: fromFixture('wrong client_id'),
      setting: 'client_credentials',
      says: /Client ID or Client Secret/,
    },
    {
      name: 'app disabled (4717)',
      exchange: fromFixture('disabled'),
      setting: 'app_disabled',
      says: /deactivated.*Activate it/,
    },
    {
      name: 'unsupported_grant_type (credentials of a non Server-to-Server app)',
      exchange: fromFixture('grant_type'),
      setting: 'client_credentials',
      says: /Server-to-Server OAuth app/,
    },
    {
      // Zoom's body for a wrong account id is not documented; this shape is an assumption.
      name: 'any other 4xx (a wrong Account ID)',
      exchange: { status: 400, body: { reason: 'Invalid account_id', error: 'invalid_request' } },
      setting: 'account_id',
      says: /Account ID/,
    },
  ])('$name', ({ exchange, setting, says }) => {
    it(`fails with ZoomAuthError naming the ${setting} setting, after one request`, async () => {
      let requests = 0;
      const scope = tokenEndpoint()
        .times(2)
        .reply(exchange.status, () => {
          requests += 1;
          return exchange.body as Record<string, unknown>;
        });

      const error = await rejectionOf(provider().tokens.getToken());

      expect(error).toBeInstanceOf(ZoomAuthError);
      expect(error).toMatchObject({ setting });
      expect(error.message).toMatch(says);
      expect(error.message).not.toContain(CREDENTIALS.clientSecret);
      expect(error.cause).toBeInstanceOf(ZoomApiError);
      expect(requests).toBe(1);
      expect(scope.isDone()).toBe(false);
    });
  });

  it('does not cache a failure: the next call asks again', async () => {
    tokenEndpoint().reply(400, {
      reason: 'Invalid client_id or client_secret',
      error: 'invalid_client',
    });
    const issued = issueTokens(1);
    const { tokens } = provider();

    await expect(tokens.getToken()).rejects.toBeInstanceOf(ZoomAuthError);
    await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: ACCESS_TOKEN });
    expect(issued.requests).toBe(1);
  });

  it('reports a 5xx as a transient ZoomApiError', async () => {
    tokenEndpoint().reply(503, 'Service Unavailable');

    const error = await rejectionOf(provider().tokens.getToken());

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error).toMatchObject({ status: 503, transient: true });
  });

  it('reports no answer as ZoomNetworkError, keeping the transport error as cause', async () => {
    tokenEndpoint().replyWithError('socket hang up');

    const error = await rejectionOf(provider().tokens.getToken());

    expect(error).toBeInstanceOf(ZoomNetworkError);
    expect(error.cause).toBeDefined();
  });

  it('reports a 200 without an access token as a ZoomApiError about the OAuth URL', async () => {
    tokenEndpoint().reply(200, '<html>login</html>');

    const error = await rejectionOf(provider().tokens.getToken());

    expect(error).toBeInstanceOf(ZoomApiError);
    expect(error.message).toMatch(/OAuth URL/);
  });
});

describe('credentials', () => {
  it('rejects an empty setting with a ConfigError naming it, before any request', () => {
    expect(() =>
      createZoomTokenProvider({
        credentials: { ...CREDENTIALS, accountId: ' ' },
        http: createFetchHttpClient(),
      }),
    ).toThrow(
      new ConfigError("Zoom Account ID is empty; copy it from the app's App Credentials page."),
    );
  });
});
