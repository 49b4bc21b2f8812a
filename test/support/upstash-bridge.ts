import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import IORedis from 'ioredis';
import { TEST_REDIS_URL } from './redis-test-env';

/**
 * An Upstash-REST-compatible HTTP front for a real redis-server, so tests exercise the
 * production `@upstash/redis` client (auto-pipelining, base64 responses, EVALSHA fallback)
 * against real Redis semantics. Protocol: /work/shared/reference/upstash/README.md.
 */

export interface UpstashBridgeOptions {
  /** Default TEST_REDIS_URL: REDIS_URL, else `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** Default: random. */
  token?: string;
  /** Default 0 (ephemeral); always bound to 127.0.0.1. */
  port?: number;
}

/**
 * How a downed bridge fails: `status` answers 503 (the client throws at once, no retry);
 * `reset` destroys the socket (a network failure: the client retries with back-off first).
 */
export type BridgeOutage = 'status' | 'reset';

export interface BridgeStats {
  /** HTTP requests received, whatever their outcome. */
  requests: number;
  /** Commands in authorised, well-formed requests (a pipeline of 3 counts 3). */
  commands: number;
}

export interface UpstashBridge {
  url: string;
  token: string;
  stats: BridgeStats;
  setDown(down: boolean, how?: BridgeOutage): void;
  close(): Promise<void>;
}

type RestValue = string | number | null | RestValue[];
type RestItem = { result: RestValue } | { error: string };
type RedisCommand = [name: string, ...args: string[]];

// Upstash's own per-request limit.
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const OK = Buffer.from('OK');

// They change the state of the connection every request shares, or take it over.
const UNSUPPORTED = new Set([
  'AUTH',
  'DISCARD',
  'EXEC',
  'HELLO',
  'MONITOR',
  'MULTI',
  'PSUBSCRIBE',
  'PUNSUBSCRIBE',
  'QUIT',
  'RESET',
  'SELECT',
  'SSUBSCRIBE',
  'SUBSCRIBE',
  'SUNSUBSCRIBE',
  'UNSUBSCRIBE',
  'UNWATCH',
  'WATCH',
]);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startUpstashBridge(opts: UpstashBridgeOptions = {}): Promise<UpstashBridge> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const expectedAuth = Buffer.from(`Bearer ${token}`);
  const redis = await connectRedis(opts.redisUrl ?? TEST_REDIS_URL);
  const stats: BridgeStats = { requests: 0, commands: 0 };
  let outage: BridgeOutage | undefined;

  const isAuthorised = (header: string | undefined): boolean => {
    const given = Buffer.from(header ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    if (outage === 'reset') {
      req.socket.destroy();
      return;
    }
    if (outage === 'status') {
      return reply(res, 503, { error: 'ERR upstash bridge is down (simulated outage)' });
    }
    if (!isAuthorised(req.headers.authorization)) {
      return reply(res, 401, { error: 'WRONGPASS invalid or missing auth token' });
    }
    if (req.method !== 'POST') {
      return reply(res, 405, { error: 'ERR only POST is supported' });
    }
    const path = new URL(req.url ?? '/', 'http://bridge').pathname.replace(/\/+$/, '');
    const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64';
    const body = parseJson(await readBody(req));

    if (path === '') {
      const command = toCommand(body);
      stats.commands += 1;
      const item = await runOne(redis, command, base64);
      return reply(res, 'error' in item ? 400 : 200, item);
    }
    if (path === '/pipeline') {
      const commands = toCommands(body);
      stats.commands += commands.length;
      return reply(res, 200, await runPipeline(redis, commands, base64));
    }
    if (path === '/multi-exec') {
      const commands = toCommands(body);
      stats.commands += commands.length;
      return reply(res, 200, await runTransaction(redis, commands, base64));
    }
    throw new HttpError(404, `ERR unknown endpoint ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return reply(res, error.status, { error: error.message });
      // Not a Redis reply: the connection to Redis itself failed, as a store outage would.
      const message = error instanceof Error ? error.message : String(error);
      reply(res, 503, { error: `ERR upstash bridge: ${message}` });
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Clients keep sockets alive; without this close() waits for them to time out.
      server.closeAllConnections();
      await closed;
      await redis.quit().catch(() => redis.disconnect());
    })();
    return closing;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stats,
    setDown: (down, how = 'status') => {
      outage = down ? how : undefined;
    },
    close,
  };
}

async function connectRedis(redisUrl: string): Promise<IORedis> {
  const redis = new IORedis(redisUrl, {
    lazyConnect: true,
    connectionName: 'upstash-bridge',
    // Fail a command fast when Redis goes away instead of queueing it for minutes.
    maxRetriesPerRequest: 1,
  });
  // Without a listener ioredis prints every connection error; failures reach callers anyway.
  let lastError: unknown;
  redis.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    // connect() only says "Connection is closed"; the error event says why (ECONNREFUSED…).
    const cause = lastError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `upstash bridge: cannot reach Redis at ${redisUrl} (${reason}); set REDIS_URL, or start ` +
        'one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" ' +
        '--appendonly no` (under jest, the global setup starts one when none answers)',
    );
  }
  return redis;
}

async function runOne(redis: IORedis, command: RedisCommand, base64: boolean): Promise<RestItem> {
  const unsupported = rejectUnsupported(command);
  if (unsupported) return unsupported;
  const [name, ...args] = command;
  return settle(redis.callBuffer(name, args), base64);
}

function runPipeline(
  redis: IORedis,
  commands: RedisCommand[],
  base64: boolean,
): Promise<RestItem[]> {
  // Issued in one tick on one connection, so Redis runs them in order (but interleaved with
  // other clients: not atomic, like Upstash's /pipeline).
  return Promise.all(
    commands.map((command) => {
      const unsupported = rejectUnsupported(command);
      if (unsupported) return unsupported;
      const [name, ...args] = command;
      return settle(redis.callBuffer(name, args), base64);
    }),
  );
}

async function runTransaction(
  redis: IORedis,
  commands: RedisCommand[],
  base64: boolean,
): Promise<RestItem[]> {
  const refused = commands.map(rejectUnsupported).find((item) => item !== undefined);
  if (refused) throw new HttpError(400, `EXECABORT ${refused.error}`);
  const tx = redis.multi();
  for (const [name, ...args] of commands) tx.callBuffer(name, args);
  let results: [error: Error | null, result: unknown][] | null;
  try {
    results = await tx.exec();
  } catch (error) {
    // EXECABORT (a command refused at queue time): nothing ran, the whole request fails.
    if (isReplyError(error)) throw new HttpError(400, withCause(error));
    throw error;
  }
  if (!results) throw new HttpError(400, 'EXECABORT transaction aborted');
  return results.map(([error, result]) => {
    if (!error) return { result: toRestValue(result, base64, true) };
    if (isReplyError(error)) return { error: error.message };
    throw error;
  });
}

async function settle(pending: Promise<unknown>, base64: boolean): Promise<RestItem> {
  try {
    return { result: toRestValue(await pending, base64, true) };
  } catch (error) {
    if (isReplyError(error)) return { error: error.message };
    throw error;
  }
}

function rejectUnsupported([name]: RedisCommand): { error: string } | undefined {
  return UNSUPPORTED.has(name)
    ? { error: `ERR Command is not allowed by the upstash bridge: ${name}` }
    : undefined;
}

// ioredis types ReplyError as `any`, so recognise it by name: it is what Redis answered,
// as opposed to a connection failure.
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

// EXECABORT alone says nothing about which command was refused.
function withCause(error: Error): string {
  const previous = (error as Error & { previousErrors?: unknown }).previousErrors;
  const first = Array.isArray(previous) ? (previous as unknown[])[0] : undefined;
  return first instanceof Error ? `${error.message} (${first.message})` : error.message;
}

/**
 * RESP2 reply (buffers, since callBuffer) → JSON. With base64 every string is encoded except
 * a top-level "OK": the client skips decoding only there, but decodes every string inside
 * an array, so an unencoded "OK" inside one would be mangled.
 */
function toRestValue(reply: unknown, base64: boolean, topLevel: boolean): RestValue {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === 'number') return reply;
  if (Array.isArray(reply)) return reply.map((item: unknown) => toRestValue(item, base64, false));
  // Lua can nest an error reply inside an array; keep its text.
  if (reply instanceof Error) return toRestValue(Buffer.from(reply.message), base64, false);
  const bytes = Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply));
  if (!base64) return bytes.toString('utf8');
  return topLevel && bytes.equals(OK) ? 'OK' : bytes.toString('base64');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'ERR max request size exceeded');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'ERR failed to parse request body as JSON');
  }
}

function toCommands(body: unknown): RedisCommand[] {
  if (!Array.isArray(body) || body.length === 0) {
    throw new HttpError(400, 'ERR body must be a non-empty array of commands');
  }
  return body.map(toCommand);
}

function toCommand(value: unknown): RedisCommand {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== 'string') {
    throw new HttpError(400, 'ERR a command must be a non-empty array starting with its name');
  }
  const [name, ...args] = value as [string, ...unknown[]];
  // Upper case also keeps ioredis from applying its reply transformers (HGETALL → object),
  // which are registered under lower-case names.
  return [name.toUpperCase(), ...args.map(toArgument)];
}

function toArgument(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if ((typeof arg === 'number' && Number.isFinite(arg)) || typeof arg === 'boolean') {
    return String(arg);
  }
  throw new HttpError(400, `ERR unsupported argument type: ${arg === null ? 'null' : typeof arg}`);
}

function reply(res: ServerResponse, status: number, body: RestItem | RestItem[]): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}
