import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  answersPing,
  ensureTestRedis,
  INSTALL_REDIS,
  RedisMissingError,
} from '../support/private-redis';
import { TEST_REDIS_URL } from '../support/redis-test-env';

// What the jest global setup does on a machine where nothing answers at REDIS_URL (a fresh clone,
// a CI runner without a Redis service): start a private redis-server, or say how to install one.

/** Port 1 is never a Redis: as good as a machine with none. */
const NOTHING_THERE = 'redis://127.0.0.1:1';

describe('the Redis for a test run', () => {
  it('starts a private redis-server on a free port when nothing answers, and stops it', async () => {
    const redis = await ensureTestRedis(NOTHING_THERE);
    try {
      expect(redis.started).toBe(true);
      expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(redis.url).not.toBe(NOTHING_THERE);
      expect(await answersPing(redis.url)).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(await answersPing(redis.url)).toBe(false);
  });

  it('uses the Redis at the URL when it answers, and leaves it running', async () => {
    const redis = await ensureTestRedis(TEST_REDIS_URL);
    expect(redis).toMatchObject({ url: TEST_REDIS_URL, started: false });
    await redis.stop();
    expect(await answersPing(TEST_REDIS_URL)).toBe(true);
  });

  it('fails at once, naming the install command, when redis-server is not installed', async () => {
    const started = Date.now();
    const failure = ensureTestRedis(NOTHING_THERE, { binary: 'redis-server-not-installed' });
    await expect(failure).rejects.toThrow(RedisMissingError);
    await expect(failure).rejects.toThrow(INSTALL_REDIS);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says why when the binary starts but exits without serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-fake-redis-'));
    const broken = join(dir, 'redis-server');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    try {
      await expect(ensureTestRedis(NOTHING_THERE, { binary: broken })).rejects.toThrow(
        /exited \(3\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
