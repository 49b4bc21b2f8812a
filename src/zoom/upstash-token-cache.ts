import type { Redis } from '@upstash/redis';
import { createUpstashRedis } from '../upstash-client';
import { StoreError } from '../store/errors';
import type { CachedToken, TokenCache } from './token-cache';

/**
 * Zoom access tokens in Upstash, so every receiver instance and every Zapier run of one Zoom app
 * shares a token instead of fetching one each (Zoom issues one per request and each fetch counts).
 * The key already hashes the credentials (zoomTokenCacheKey); the value is the token itself,
 * which is why it lives only in the store the team already trusts with start URLs.
 */
export function createUpstashTokenCache(
  options: { url: string; token: string; prefix?: string } | { redis: Redis; prefix?: string },
): TokenCache {
  const redis =
    'redis' in options
      ? options.redis
      : createUpstashRedis({ url: options.url, token: options.token });
  const prefix = `${options.prefix ?? 'cz:'}zoom-token:`;
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreError(`Upstash token cache: could not ${what}.`, { cause });
    }
  };
  return {
    async get(key) {
      const raw = await guard('read the cached Zoom token', () => redis.get<unknown>(prefix + key));
      if (raw === null || raw === undefined) return null;
      const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      return isCachedToken(value) ? value : null;
    },
    async set(key, value, ttlMs) {
      const px = Math.max(1, Math.floor(ttlMs));
      await guard('store the Zoom token', () =>
        redis.set(prefix + key, JSON.stringify(value), { px }),
      );
    },
    async delete(key) {
      await guard('drop the Zoom token', () => redis.del(prefix + key));
    },
    async claimRefresh(key, ttlMs) {
      const claimed = await guard('claim the Zoom token refresh', () =>
        redis.set(`${prefix}${key}:refresh`, '1', { nx: true, px: Math.max(1, Math.floor(ttlMs)) }),
      );
      return claimed === 'OK';
    },
    async deleteIf(key, accessToken) {
      await guard('drop the rejected Zoom token', () =>
        redis.eval(DELETE_IF_HOLDS, [prefix + key], [accessToken]),
      );
    },
  };
}

/** Compare-and-delete in one step on the server: a newer token stored meanwhile is kept. */
const DELETE_IF_HOLDS = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, value = pcall(cjson.decode, raw)
if ok and type(value) == 'table' and value.accessToken == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

function isCachedToken(v: unknown): v is CachedToken {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as CachedToken).accessToken === 'string' &&
    typeof (v as CachedToken).expiresAt === 'number'
  );
}
