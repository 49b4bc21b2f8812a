import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import type { ZObject } from 'zapier-platform-core';
import {
  createZapierHttpClient,
  HttpTransportError,
  type HttpClient,
  type ZapierRequester,
} from '../../src/http';
import { tester, useNock } from './zapier-test-kit';

useNock();

const ORIGIN = 'https://api.example.test';

/** Runs `work` with the adapter over a real z.request, inside a Zapier invocation. */
function withZapierHttp<T>(work: (http: HttpClient) => Promise<T>): Promise<unknown> {
  return tester()(
    async (z: ZObject) => work(createZapierHttpClient(z as unknown as ZapierRequester)),
    {},
  );
}

describe('createZapierHttpClient (the z.request adapter)', () => {
  it.each([401, 404, 500])('hands status %i back instead of throwing', async (status) => {
    nock(ORIGIN).get('/thing').reply(status, { code: 124 });

    const response = await withZapierHttp((http) =>
      http({ method: 'GET', url: `${ORIGIN}/thing` }),
    );

    expect(response).toMatchObject({ status, body: '{"code":124}' });
  });

  it("hands a 429 back with its headers, so Zoom's retry policy decides, not Zapier", async () => {
    nock(ORIGIN)
      .get('/thing')
      .reply(429, 'slow down', { 'Retry-After': '7', 'X-RateLimit-Type': 'QPS' });

    const response = await withZapierHttp((http) =>
      http({ method: 'GET', url: `${ORIGIN}/thing` }),
    );

    expect(response).toMatchObject({
      status: 429,
      headers: expect.objectContaining({ 'retry-after': '7', 'x-ratelimit-type': 'QPS' }),
    });
  });

  it('sends method, headers and body as given (curly braces untouched), with its length', async () => {
    const body = JSON.stringify({ topic: 'Café {{bundle.authData.x}}' });
    const scope = nock(ORIGIN, {
      reqheaders: { 'content-length': String(Buffer.byteLength(body)) },
    })
      .patch('/meetings/1', body)
      .matchHeader('authorization', 'Bearer t')
      .reply(204);

    const response = await withZapierHttp((http) =>
      http({
        method: 'PATCH',
        url: `${ORIGIN}/meetings/1`,
        headers: { authorization: 'Bearer t' },
        body,
      }),
    );

    expect(response).toMatchObject({ status: 204, body: '' });
    expect(scope.isDone()).toBe(true);
  });

  // node-fetch's own errors, made by hand: an error a mocked socket emits can reach Zapier's
  // domain twice when another test file left its nock interceptor on Node's http module.
  const fetchError = (type: string, reason: string) =>
    Object.assign(
      new Error(`request to ${ORIGIN}/token?account_id=secret-ish failed, reason: ${reason}`),
      {
        name: 'FetchError',
        type,
        code: 'ECONNREFUSED',
      },
    );

  it('turns a failed connection into HttpTransportError, without the query string', async () => {
    const http = createZapierHttpClient({
      request: () => Promise.reject(fetchError('system', 'connect ECONNREFUSED 203.0.113.7:443')),
    });

    const error = await http({ method: 'GET', url: `${ORIGIN}/token?account_id=secret-ish` }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({
      timedOut: false,
      message: `GET ${ORIGIN}/token got no answer: connect ECONNREFUSED 203.0.113.7:443`,
    });
  });

  it('leaves errors that are not about the network as they are', async () => {
    const throttled = new Error('{"message":"…","delay":5}');
    const http = createZapierHttpClient({ request: () => Promise.reject(throttled) });

    await expect(http({ method: 'GET', url: `${ORIGIN}/thing` })).rejects.toBe(throttled);
  });

  it('gives up after timeoutMs', async () => {
    nock(ORIGIN).get('/slow').delay(2000).reply(200, 'late');

    const error = await withZapierHttp((http) =>
      http({ method: 'GET', url: `${ORIGIN}/slow`, timeoutMs: 100 }).catch((e: unknown) => e),
    );

    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).timedOut).toBe(true);
  });

  it('bounds headers and body together: a body that trickles in past timeoutMs times out', async () => {
    // Each phase alone stays under node-fetch's own timeout, which it applies to each separately:
    // with per-phase timeouts only, this request succeeds at ~550 ms. No wall-clock bound here: on
    // a loaded machine the timer itself can fire late, and the error alone tells the two apart.
    const server = createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.flushHeaders();
        setTimeout(() => res.end('late'), 300);
      }, 250);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await withZapierHttp((http) =>
        http({ method: 'GET', url: `http://127.0.0.1:${port}/trickle`, timeoutMs: 400 }).catch(
          (e: unknown) => e,
        ),
      );

      expect(error).toBeInstanceOf(HttpTransportError);
      expect((error as HttpTransportError).timedOut).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
