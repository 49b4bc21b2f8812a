import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deadlineIn } from '../../src/deadline';
import { createUpstashRedis } from '../../src/upstash-client';

/**
 * Runs `work` against an "Upstash" on loopback that misbehaves as told (never answers, or drops
 * the connection), counting the requests it gets.
 */
async function withMisbehaving(
  how: 'hang' | 'reset',
  work: (upstash: { url: string; requests: () => number }) => Promise<void>,
): Promise<void> {
  let requests = 0;
  const server: Server = createServer((req) => {
    requests += 1;
    if (how === 'reset') req.socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  try {
    await work({ url: `http://127.0.0.1:${port}`, requests: () => requests });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

describe('createUpstashRedis', () => {
  it('aborts a request that gets no answer after timeoutMs, and fails rather than "succeeding"', () =>
    withMisbehaving('hang', async (upstash) => {
      const redis = createUpstashRedis({
        url: upstash.url,
        token: 't',
        timeoutMs: 200,
        retries: 3,
      });
      const started = Date.now();

      const outcome = await redis.get('k').then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );

      expect(outcome).toEqual({ error: expect.objectContaining({ name: 'TimeoutError' }) });
      expect(Date.now() - started).toBeLessThan(1_000);
      // The timeout bounds the request with its retries: nothing is sent after it fires.
      expect(upstash.requests()).toBe(1);
    }));

  it('retries a failed connection exactly `retries` times, then fails', () =>
    withMisbehaving('reset', async (upstash) => {
      const redis = createUpstashRedis({
        url: upstash.url,
        token: 't',
        timeoutMs: 5_000,
        retries: 2,
      });

      await expect(redis.get('k')).rejects.toThrow();

      expect(upstash.requests()).toBe(3);
    }));

  it('cuts the timeout to what is left of a deadline', () =>
    withMisbehaving('hang', async (upstash) => {
      const redis = createUpstashRedis({
        url: upstash.url,
        token: 't',
        timeoutMs: 10_000,
        deadline: deadlineIn(150),
      });
      const started = Date.now();

      await expect(redis.get('k')).rejects.toMatchObject({ name: 'TimeoutError' });

      expect(Date.now() - started).toBeLessThan(1_000);
    }));
});
