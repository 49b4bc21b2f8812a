import { randomBytes } from 'node:crypto';
import { Redis, type RedisConfigNodejs } from '@upstash/redis';
import IORedis from 'ioredis';
import type { UpstashBridge } from './upstash-bridge';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The one Redis every suite, the Upstash bridge and the chaos run use. Under jest the global setup
 * (test/support/global-setup.ts) sets REDIS_URL: to the Redis that answered, or to the private one
 * it started when none did.
 */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? DEFAULT_TEST_REDIS_URL;

/** Test files share one Redis and run in parallel, so each test owns the keys under its prefix. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(6).toString('hex')}:`;
}

/**
 * The production client with production defaults (auto-pipelining, automatic
 * deserialisation, base64 responses, retries) unless a test overrides them.
 */
export function upstashClient(
  bridge: Pick<UpstashBridge, 'url' | 'token'>,
  overrides: Omit<RedisConfigNodejs, 'url' | 'token'> = {},
): Redis {
  return new Redis({ url: bridge.url, token: bridge.token, ...overrides });
}

/** Direct access behind the bridge's back: inspect raw values, SCRIPT FLUSH, cleanup. */
export function rawRedis(url = TEST_REDIS_URL): IORedis {
  return new IORedis(url, { connectionName: 'test-raw', maxRetriesPerRequest: 1 });
}

export async function deleteKeysByPrefix(redis: IORedis, prefix: string): Promise<number> {
  // The prefix is a glob pattern to SCAN; a label containing *?[]\ must match literally.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
