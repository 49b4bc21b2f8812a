import { ensureTestRedis, type TestRedis } from './private-redis';
import { DEFAULT_TEST_REDIS_URL } from './redis-test-env';

// Jest runs this once, before any worker starts: the workers inherit REDIS_URL from here, so every
// suite (and the Upstash bridge, and the chaos run's) talks to the Redis chosen here.

declare global {
  var __calendlyZoomTestRedis: TestRedis | undefined;
}

export default async function globalSetup(): Promise<void> {
  const redis = await ensureTestRedis(process.env.REDIS_URL ?? DEFAULT_TEST_REDIS_URL);
  process.env.REDIS_URL = redis.url;
  globalThis.__calendlyZoomTestRedis = redis;
  if (redis.started) {
    // Jest killed by an error between here and the teardown must not leave the server running.
    process.once('exit', () => void redis.stop());
    console.log(
      `\nNo Redis answered; started a private redis-server at ${redis.url} for this run.`,
    );
  }
}
