import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';
import { deleteKeysByPrefix, rawRedis, uniquePrefix } from '../support/redis-test-env';
import { createUpstashTokenCache } from '../../src/zoom/upstash-token-cache';
import { createZoomTokenProvider } from '../../src/zoom/token';
import type { HttpClient } from '../../src/http';
import { StoreError } from '../../src/store/errors';

describe('Zoom token cache on Upstash', () => {
  let bridge: UpstashBridge;
  let prefix: string;
  const redis = rawRedis();

  beforeAll(async () => {
    bridge = await startUpstashBridge();
  });
  beforeEach(() => {
    prefix = uniquePrefix('token-cache');
  });
  afterEach(async () => {
    bridge.setDown(false);
    await deleteKeysByPrefix(redis, prefix);
  });
  afterAll(async () => {
    await bridge.close();
    await redis.quit();
  });

  it('round-trips a token and forgets it on delete', async () => {
    const cache = createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix });
    await cache.set('k', { accessToken: 'tok', expiresAt: 123 }, 60_000);
    expect(await cache.get('k')).toEqual({ accessToken: 'tok', expiresAt: 123 });
    await cache.delete('k');
    expect(await cache.get('k')).toBeNull();
  });

  it('deletes an entry only while it holds the given token (compare-and-delete)', async () => {
    const cache = createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix });
    await cache.set('k', { accessToken: 'newer', expiresAt: 123 }, 60_000);
    await cache.deleteIf!('k', 'revoked');
    expect(await cache.get('k')).toEqual({ accessToken: 'newer', expiresAt: 123 });
    await cache.deleteIf!('k', 'newer');
    expect(await cache.get('k')).toBeNull();
    await expect(cache.deleteIf!('missing', 'any')).resolves.toBeUndefined();
  });

  it('lets the entry expire in Redis after its ttl', async () => {
    const cache = createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix });
    await cache.set('k', { accessToken: 'tok', expiresAt: 123 }, 60_000);
    const ttl = await redis.pttl(`${prefix}zoom-token:k`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('makes one token request for three processes starting cold at the same moment', async () => {
    let tokenRequests = 0;
    const http: HttpClient = async () => {
      tokenRequests++;
      // Zoom takes a moment: every process has seen the empty cache before the token lands.
      await new Promise((resolve) => setTimeout(resolve, 150));
      return {
        status: 200,
        headers: {},
        body: JSON.stringify({ access_token: 'fleet', token_type: 'bearer', expires_in: 3599 }),
      };
    };
    const credentials = { accountId: 'a', clientId: 'c', clientSecret: 's' };
    const fleet = [1, 2, 3].map(() =>
      createZoomTokenProvider({
        credentials,
        http,
        cache: createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix }),
      }),
    );

    const tokens = await Promise.all(fleet.map((p) => p.getToken()));

    expect(tokens.map((t) => t.accessToken)).toEqual(['fleet', 'fleet', 'fleet']);
    expect(tokenRequests).toBe(1);
  });

  it('shares one token between two processes: the second never calls Zoom', async () => {
    let tokenRequests = 0;
    const http: HttpClient = async () => {
      tokenRequests++;
      return {
        status: 200,
        headers: {},
        body: JSON.stringify({
          access_token: 'shared',
          token_type: 'bearer',
          expires_in: 3599,
          scope: 's',
        }),
      };
    };
    const credentials = { accountId: 'a', clientId: 'c', clientSecret: 's' };
    const first = createZoomTokenProvider({
      credentials,
      http,
      cache: createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix }),
    });
    const second = createZoomTokenProvider({
      credentials,
      http,
      cache: createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix }),
    });
    expect((await first.getToken()).accessToken).toBe('shared');
    expect((await second.getToken()).accessToken).toBe('shared');
    expect(tokenRequests).toBe(1);
  });

  it('fails with StoreError when Upstash is unreachable', async () => {
    const cache = createUpstashTokenCache({ url: bridge.url, token: bridge.token, prefix });
    bridge.setDown(true);
    await expect(cache.get('k')).rejects.toBeInstanceOf(StoreError);
  });
});
