import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createByteBudget, type ByteBudget } from '../../../src/server/byte-budget';
import {
  PayloadTooLargeError,
  ReceiverBusyError,
  RequestAbortedError,
} from '../../../src/server/errors';
import { discardBody, readBody } from '../../../src/server/read-body';
import { startRealTimer } from '../../../src/timer';
import { send } from '../../support/http-request';

const LIMIT = 1000;

// These tests are about real sockets: nock (loaded for every file by the isolation setup) must
// not wrap them, or an aborted request leaves its mock socket open.
beforeAll(() => nock.restore());

let server: Server;
let url: string;
let results: Promise<Buffer | Error>[];
let requests: IncomingMessage[];
/** 'data' listeners on each request when readBody settled: 0 means nothing is being read. */
let dataListeners: number[];
/** Shared by every request of a test, as the receiver shares one. */
let budget: ByteBudget;

beforeEach(async () => {
  results = [];
  requests = [];
  dataListeners = [];
  budget = createByteBudget(10 * LIMIT);
  server = createServer((req, res) => {
    requests.push(req);
    const share = budget.open();
    const result = readBody(req, { maxBytes: LIMIT, share }).catch((error: Error) => error);
    void result.finally(() => share.release());
    results.push(result);
    void result.then((r) => {
      dataListeners.push(req.listenerCount('data'));
      res.setHeader('Connection', 'close');
      res.end(r instanceof Error ? r.name : `read ${r.length}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('readBody', () => {
  it('returns the exact bytes, across chunks', async () => {
    const bytes = Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff]);
    await send(url, {
      method: 'POST',
      path: '/',
      chunks: [bytes.subarray(0, 2), bytes.subarray(2)],
    });
    expect(await results[0]).toEqual(bytes);
  });

  it('accepts a body of exactly the limit', async () => {
    const res = await send(url, { method: 'POST', path: '/', body: 'x'.repeat(LIMIT) });
    expect(res.text).toBe(`read ${LIMIT}`);
  });

  it('refuses a declared Content-Length over the limit without reading a byte', async () => {
    const res = await send(url, { method: 'POST', path: '/', body: 'x'.repeat(LIMIT + 1) });
    expect(res.text).toBe('PayloadTooLargeError');
    const error = await results[0];
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ limitBytes: LIMIT });
    expect(dataListeners).toEqual([0]);
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    const res = await send(url, {
      method: 'POST',
      path: '/',
      chunks: ['x'.repeat(600), 'x'.repeat(600), 'x'.repeat(600)],
    });
    expect(res.text).toBe('PayloadTooLargeError');
    expect(dataListeners).toEqual([0]);
  });

  it('takes its bytes from the shared budget while reading, and gives them back', async () => {
    const res = await send(url, { method: 'POST', path: '/', body: 'x'.repeat(LIMIT) });
    expect(res.text).toBe(`read ${LIMIT}`);
    expect(budget.usedBytes).toBe(0);
  });

  it('refuses a body with ReceiverBusyError once the shared budget is spent, keeping nothing', async () => {
    const holder = budget.open();
    expect(holder.take(10 * LIMIT - 100)).toBe(true);
    const res = await send(url, {
      method: 'POST',
      path: '/',
      chunks: ['x'.repeat(60), 'x'.repeat(60)],
    });
    expect(res.text).toBe('ReceiverBusyError');
    expect(await results[0]).toBeInstanceOf(ReceiverBusyError);
    expect(dataListeners).toEqual([0]);
    holder.release();
    expect(budget.usedBytes).toBe(0);
  });

  it('fails with RequestAbortedError when the client goes away mid-body', async () => {
    const req = request(new URL('/', url), { method: 'POST', agent: false });
    req.on('error', () => undefined); // the client side of the abort is expected
    req.flushHeaders();
    req.write('partial');
    await new Promise<void>((resolve) => {
      const check = (): void => void (results.length > 0 ? resolve() : setImmediate(check));
      check();
    });
    req.destroy();
    expect(await results[0]).toBeInstanceOf(RequestAbortedError);
  });
});

describe('discardBody', () => {
  /** A server that answers at once and then drops the body, as the receiver does after a 413. */
  async function discardingServer(limits: { maxBytes: number; maxMs: number }) {
    const dropped: Promise<void>[] = [];
    const srv = createServer((req, res) => {
      res.writeHead(413, { Connection: 'close', 'Content-Length': '4' });
      res.write('full');
      const done = discardBody(req, { ...limits, startTimer: startRealTimer });
      dropped.push(done);
      void done.then(() => res.end());
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    return { srv, dropped, url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
  }

  it('reads the rest of the body so the client gets the answer, not a reset', async () => {
    const { srv, dropped, url: at } = await discardingServer({ maxBytes: 8 << 20, maxMs: 5000 });
    try {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const res = await send(at, { method: 'POST', path: '/', chunks: Array(64).fill(chunk) });
      expect(res.status).toBe(413);
      expect(res.text).toBe('full');
      await dropped[0];
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });

  it('stops after its byte bound when the client never stops sending', async () => {
    const { srv, dropped, url: at } = await discardingServer({ maxBytes: 1000, maxMs: 60_000 });
    try {
      const req = request(new URL('/', at), { method: 'POST', agent: false });
      req.on('error', () => undefined);
      const endless = Buffer.alloc(64 * 1024, 'x');
      const pump = (): void =>
        void (req.write(endless) ? setImmediate(pump) : req.once('drain', pump));
      pump();
      await new Promise<void>((resolve) => {
        const check = (): void => void (dropped.length > 0 ? resolve() : setImmediate(check));
        check();
      });
      await dropped[0];
      req.destroy();
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  });
});
