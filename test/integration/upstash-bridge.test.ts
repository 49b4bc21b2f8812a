import { createHash } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import type IORedis from 'ioredis';
import {
  deleteKeysByPrefix,
  rawRedis,
  TEST_REDIS_URL,
  uniquePrefix,
  upstashClient,
} from '../support/redis-test-env';
import { startUpstashBridge, type UpstashBridge } from '../support/upstash-bridge';

let bridge: UpstashBridge;
let raw: IORedis;
let redis: Redis;
let prefix: string;

beforeAll(async () => {
  bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL });
  raw = rawRedis();
});

afterAll(async () => {
  await bridge.close();
  await raw.quit();
});

beforeEach(() => {
  prefix = uniquePrefix('upstash-bridge');
  redis = upstashClient(bridge);
});

afterEach(async () => {
  bridge.setDown(false);
  await deleteKeysByPrefix(raw, prefix);
});

const key = (name: string): string => `${prefix}${name}`;

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${bridge.url}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${bridge.token}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('the real @upstash/redis client through the bridge', () => {
  test('set then get round-trips a string', async () => {
    expect(await redis.set(key('greeting'), 'hello world')).toBe('OK');

    expect(await redis.get(key('greeting'))).toBe('hello world');
    expect(await raw.get(key('greeting'))).toBe('hello world');
  });

  test('a numeric-looking string comes back as a number unless that would lose precision', async () => {
    await redis.set(key('meeting'), '85746065432');
    await redis.set(key('flag'), 'true');
    await redis.set(key('huge'), '12345678901234567890');

    // The same kind of value comes back as a number or a string depending on its size:
    // ids must be stored inside JSON objects, never as bare strings.
    expect(await redis.get(key('meeting'))).toBe(85746065432);
    expect(await redis.get(key('flag'))).toBe(true);
    expect(await redis.get(key('huge'))).toBe('12345678901234567890');
    expect(await raw.get(key('meeting'))).toBe('85746065432');
  });

  test('automaticDeserialization: false returns stored strings untouched', async () => {
    const plain = upstashClient(bridge, { automaticDeserialization: false });
    await plain.set(key('meeting'), '85746065432');

    expect(await plain.get(key('meeting'))).toBe('85746065432');
  });

  test('a JSON object round-trips and is stored as JSON text', async () => {
    const record = { meetingId: '85746065432', status: 'created', invitees: ['a@x.io'], n: 2 };
    await redis.set(key('record'), record);

    expect(await redis.get(key('record'))).toEqual(record);
    expect(JSON.parse((await raw.get(key('record'))) ?? 'null')).toEqual(record);
  });

  test('hgetall returns the hash as an object, and null for a missing key', async () => {
    await redis.hset(key('hash'), { name: 'Zoë', count: 3, nested: { id: '42' } });

    expect(await redis.hgetall(key('hash'))).toEqual({
      name: 'Zoë',
      count: 3,
      nested: { id: '42' },
    });
    expect(await redis.hgetall(key('absent'))).toBeNull();
  });

  test('a pipeline reports a failing command in its own slot and still runs the others', async () => {
    const pipeline = redis.pipeline();
    pipeline.set(key('word'), 'abc');
    pipeline.incr(key('word'));
    pipeline.get(key('word'));

    expect(await pipeline.exec({ keepErrors: true })).toEqual([
      { result: 'OK', error: undefined },
      { result: undefined, error: expect.stringMatching(/^ERR value is not an integer/) },
      { result: 'abc', error: undefined },
    ]);
  });

  test('multi() exec is all-or-nothing: a command refused at queue time discards the others', async () => {
    const tx = redis.multi();
    tx.set(key('never'), 'written');
    tx.del(); // no keys: wrong number of arguments, refused before EXEC

    await expect(tx.exec()).rejects.toThrow(/EXECABORT/);
    expect(await raw.exists(key('never'))).toBe(0);
  });

  test('multi() exec returns results in order, a runtime error in its own slot', async () => {
    const tx = redis.multi();
    tx.set(key('word'), 'abc');
    tx.incr(key('word'));
    tx.append(key('word'), 'def');

    // Redis does not roll back: the command after the failing one still ran.
    expect(await tx.exec({ keepErrors: true })).toEqual([
      { result: 'OK', error: undefined },
      { result: undefined, error: expect.stringMatching(/^ERR value is not an integer/) },
      { result: 6, error: undefined },
    ]);
    expect(await raw.get(key('word'))).toBe('abcdef');
  });

  test('eval runs a script with keys and arguments', async () => {
    const result = await redis.eval(
      "return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[2])}",
      [key('counter')],
      ['hello', 5],
    );

    expect(result).toEqual([key('counter'), 'hello', 5]);
  });

  test('evalsha runs a script loaded with scriptLoad', async () => {
    const sha = await redis.scriptLoad("return redis.call('SET', KEYS[1], ARGV[1])");

    expect(await redis.evalsha(sha, [key('via-sha')], ['set by sha'])).toBe('OK');
    expect(await raw.get(key('via-sha'))).toBe('set by sha');
  });

  test('createScript().exec works on first use: NOSCRIPT from EVALSHA falls back to EVAL', async () => {
    const source = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    const sha = createHash('sha1').update(source).digest('hex');
    await raw.script('FLUSH');
    await expect(redis.evalsha(sha, [key('n')], [1])).rejects.toThrow(/NOSCRIPT/);

    const before = bridge.stats.commands;
    expect(await redis.createScript<number>(source).exec([key('n')], ['7'])).toBe(7);
    expect(bridge.stats.commands - before).toBe(2);
  });

  test('a wrong token makes the client throw WRONGPASS', async () => {
    const intruder = upstashClient({ url: bridge.url, token: 'not-the-token' });

    await expect(intruder.get(key('anything'))).rejects.toThrow(/WRONGPASS/);
  });

  test('non-ASCII strings survive the base64 response encoding', async () => {
    const text = 'Zoë – 会議 🎉 ✓';
    await redis.set(key('text'), text);
    await redis.set(key('json'), { topic: text });

    expect(await redis.get(key('text'))).toBe(text);
    expect(await redis.get(key('json'))).toEqual({ topic: text });
    expect(await raw.get(key('text'))).toBe(text);
  });

  test('concurrent commands share one HTTP request per kind (auto-pipelining)', async () => {
    const start = { ...bridge.stats };
    await Promise.all([redis.get(key('a')), redis.get(key('b')), redis.get(key('c'))]);
    expect(bridge.stats.requests - start.requests).toBe(1);
    expect(bridge.stats.commands - start.commands).toBe(3);

    // Reads and writes travel in separate batches: Promise.all([set, get]) is two requests
    // with no ordering guarantee between them.
    const mixed = { ...bridge.stats };
    await Promise.all([redis.set(key('a'), 'x'), redis.get(key('a'))]);
    expect(bridge.stats.requests - mixed.requests).toBe(2);
  });

  test('setDown makes the client fail at once, and setDown(false) restores it', async () => {
    await redis.set(key('kept'), 'still here');

    bridge.setDown(true);
    await expect(redis.get(key('kept'))).rejects.toThrow(/down/);

    bridge.setDown(false);
    expect(await redis.get(key('kept'))).toBe('still here');
  });

  test('setDown(true, "reset") is a network failure, which the client retries', async () => {
    const oneRetry = upstashClient(bridge, { retry: { retries: 1, backoff: () => 0 } });
    bridge.setDown(true, 'reset');
    const before = bridge.stats.requests;

    await expect(oneRetry.get(key('k'))).rejects.toThrow(/fetch failed/);
    expect(bridge.stats.requests - before).toBe(2);

    bridge.setDown(false);
    expect(await oneRetry.get(key('k'))).toBeNull();
  });
});

describe('the wire protocol', () => {
  test('a missing bearer token is refused with 401 WRONGPASS', async () => {
    const res = await fetch(bridge.url, { method: 'POST', body: '["PING"]' });

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'WRONGPASS invalid or missing auth token' });
  });

  test('base64 encoding carries raw bytes and leaves OK, numbers, nulls and errors alone', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
    await raw.set(key('bin'), bytes);

    const res = await post(
      '/pipeline',
      [
        ['GET', key('bin')],
        ['SET', key('ok'), 'OK'],
        ['GET', key('ok')],
        ['RPUSH', key('list'), 'OK', 'é'],
        ['LRANGE', key('list'), 0, -1],
        ['GET', key('missing')],
        ['INCR', key('bin')],
      ],
      { 'Upstash-Encoding': 'base64' },
    );

    expect(res).toEqual({
      status: 200,
      body: [
        { result: bytes.toString('base64') },
        { result: 'OK' },
        { result: 'OK' },
        { result: 2 },
        // Inside arrays the client decodes every string, so "OK" must be encoded there.
        { result: [b64('OK'), b64('é')] },
        { result: null },
        { error: 'ERR value is not an integer or out of range' },
      ],
    });
  });

  test('without Upstash-Encoding strings come back as plain text', async () => {
    await raw.hset(key('hash'), 'name', 'Zoë');

    expect(await post('/', ['HGETALL', key('hash')])).toEqual({
      status: 200,
      body: { result: ['name', 'Zoë'] },
    });
  });

  test('numbers and booleans in arguments are stringified for Redis', async () => {
    const res = await post('/', ['SET', key('n'), 1.5, 'EX', 60]);
    await post('/', ['SET', key('b'), true]);

    expect(res).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await raw.get(key('n'))).toBe('1.5');
    expect(await raw.ttl(key('n'))).toBeGreaterThan(0);
    expect(await raw.get(key('b'))).toBe('true');
  });

  test('a failing single command is a 400 carrying the Redis error', async () => {
    await raw.set(key('word'), 'abc');

    expect(await post('/', ['INCR', key('word')])).toEqual({
      status: 400,
      body: { error: 'ERR value is not an integer or out of range' },
    });
  });

  test('an aborted transaction is a 400 error, not a 200 array', async () => {
    const res = await post('/multi-exec', [['SET', key('never'), 'x'], ['DEL']]);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^EXECABORT/) });
    expect(await raw.exists(key('never'))).toBe(0);
  });

  test('a body that is not a JSON command is a 400 error', async () => {
    expect(await post('/', '{not json')).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^ERR /) },
    });
    expect(await post('/', { set: 'k' })).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^ERR /) },
    });
  });
});

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
