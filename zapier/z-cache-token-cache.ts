import type { Logger } from '../src/log';
import type { CachedToken, TokenCache } from '../src/zoom/token-cache';

/** The slice of `z.cache` used here; `scope` is core's optional argument, absent from its types. */
export interface ZCache {
  get(key: string, scope?: string[]): Promise<unknown>;
  set(key: string, value: unknown, ttlSeconds?: number, scope?: string[]): Promise<unknown>;
  delete(key: string, scope?: string[]): Promise<unknown>;
}

/** One token per connection: visible to every Zap and step that uses these credentials. */
const SCOPE = ['auth'];

/**
 * Zoom access tokens in `z.cache`, so the steps of a Zap reuse one token for its hour instead of
 * fetching one each. A cache that fails costs a token fetch, never the step: the token provider
 * treats a miss as "fetch", and `zapier-platform invoke` runs have no cache at all.
 */
export function createZCacheTokenCache(cache: ZCache, log: Logger): TokenCache {
  const quietly = async <T>(what: string, fallback: T, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      log.warn(`z.cache could not ${what}; carrying on without it`, {
        error: error instanceof Error ? error.name : typeof error,
      });
      return fallback;
    }
  };
  return {
    get: (key) =>
      quietly('read the Zoom token', null, async () => {
        const value = await cache.get(key, SCOPE);
        return isCachedToken(value) ? value : null;
      }),
    set: (key, value, ttlMs) =>
      // Seconds, whole: the provider checks expiresAt itself, so the TTL only bounds storage.
      quietly('store the Zoom token', undefined, async () => {
        await cache.set(key, value, Math.max(1, Math.floor(ttlMs / 1000)), SCOPE);
      }),
    delete: (key) =>
      quietly('drop the Zoom token', undefined, async () => {
        await cache.delete(key, SCOPE);
      }),
  };
}

function isCachedToken(value: unknown): value is CachedToken {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CachedToken).accessToken === 'string' &&
    typeof (value as CachedToken).expiresAt === 'number'
  );
}
