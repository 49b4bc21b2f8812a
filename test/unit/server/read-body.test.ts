import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { PayloadTooLargeError, RequestAbortedError } from '../../../src/server/errors';
import { readBody } from '../../../src/server/read-body';
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

beforeEach(async () => {
  results = [];
  requests = [];
  dataListeners = [];
  server = createServer((req, res) => {
    requests.push(req);
    const result = readBody(req, LIMIT).catch((error: Error) => error);
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
