import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';

/** What `npm test` needs on a machine without Redis, in one command. */
export const INSTALL_REDIS = 'apt-get install -y redis-server';

export interface TestRedis {
  url: string;
  /** Whether this run started it (and stop() stops it); false when one already answered. */
  started: boolean;
  stop(): Promise<void>;
}

/**
 * The Redis the suites use: the one at `url` if it answers, else a private `redis-server` on a
 * free loopback port, with nothing written to disk. Throws at once, naming the command that
 * installs it, when there is no redis-server to start.
 */
export async function ensureTestRedis(
  url: string,
  options: { binary?: string } = {},
): Promise<TestRedis> {
  if (await answersPing(url)) return { url, started: false, stop: async () => undefined };
  let lastError: unknown;
  // A free port can be taken between finding it and Redis binding it: try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startPrivateRedis(options.binary ?? 'redis-server', await freePort());
    } catch (error) {
      if (error instanceof RedisMissingError) throw error;
      lastError = error;
    }
  }
  throw new Error(`Could not start a private redis-server: ${String(lastError)}`, {
    cause: lastError,
  });
}

export class RedisMissingError extends Error {
  constructor(binary: string, cause: unknown) {
    super(
      `Nothing answers at REDIS_URL (default redis://127.0.0.1:6379) and \`${binary}\` is not ` +
        `installed to start a private one. Install it: ${INSTALL_REDIS}`,
      { cause },
    );
  }
}

export async function answersPing(url: string): Promise<boolean> {
  const redis = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The failure is the answer; without a listener ioredis prints it.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function startPrivateRedis(binary: string, port: number): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = `redis://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new RedisMissingError(binary, error) : error),
      );
      child.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}) before answering on port ${port}`)),
      );
      void waitForPing(url, 10_000).then(resolve, reject);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, started: true, stop };
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(url))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not answer at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
