import nock from 'nock';
import {
  createFetchHttpClient,
  getHeader,
  HttpTransportError,
  normaliseHeaders,
} from '../../src/http';

const ORIGIN = 'https://api.example.test';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('createFetchHttpClient', () => {
  const http = createFetchHttpClient();

  it('returns the status, the body as text and the headers with lower-cased names', async () => {
    const scope = nock(ORIGIN)
      .get('/thing')
      .reply(200, '{"id":85746065432}', { 'X-RateLimit-Type': 'QPS' });

    const response = await http({ method: 'GET', url: `${ORIGIN}/thing` });

    expect(response).toEqual({
      status: 200,
      body: '{"id":85746065432}',
      headers: expect.objectContaining({ 'x-ratelimit-type': 'QPS' }),
    });
    expect(scope.isDone()).toBe(true);
  });

  it.each([404, 429, 500, 503])('resolves with status %i instead of throwing', async (status) => {
    const scope = nock(ORIGIN).get('/thing').reply(status, 'nope');

    await expect(http({ method: 'GET', url: `${ORIGIN}/thing` })).resolves.toMatchObject({
      status,
      body: 'nope',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('sends the method, headers and body it is given', async () => {
    const scope = nock(ORIGIN)
      .patch('/meetings/1', '{"duration":45}')
      .matchHeader('authorization', 'Bearer t')
      .matchHeader('content-type', 'application/json')
      .reply(204);

    const response = await http({
      method: 'PATCH',
      url: `${ORIGIN}/meetings/1`,
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"duration":45}',
    });

    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    expect(scope.isDone()).toBe(true);
  });

  it('rejects with HttpTransportError (not timed out, cause kept) when the connection fails', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const scope = nock(ORIGIN).get('/thing').query(true).replyWithError(refused);

    const error = await http({ method: 'GET', url: `${ORIGIN}/thing?next_page_token=abc` }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ timedOut: false, kind: 'http_transport' });
    expect((error as Error).cause).toBeDefined();
    expect((error as Error).message).toContain(`GET ${ORIGIN}/thing`);
    expect((error as Error).message).not.toContain('next_page_token');
    expect(scope.isDone()).toBe(true);
  });

  it('rejects with HttpTransportError marked timedOut when the timeout signal fires', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const fetchImpl = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() =>
      Promise.reject(timeout),
    );

    const error = await createFetchHttpClient(fetchImpl)({
      method: 'GET',
      url: `${ORIGIN}/slow`,
      timeoutMs: 50,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ timedOut: true, cause: timeout });
    expect(fetchImpl.mock.calls[0]?.[1]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('passes no abort signal when no timeout is asked for', async () => {
    const fetchImpl = jest.fn<Promise<Response>, Parameters<typeof fetch>>(
      async () => new Response('ok', { status: 200 }),
    );

    await createFetchHttpClient(fetchImpl)({ method: 'GET', url: `${ORIGIN}/x` });

    expect(fetchImpl.mock.calls[0]?.[1]?.signal).toBeUndefined();
  });
});

describe('normaliseHeaders', () => {
  it('lower-cases names from a plain record and joins repeated values', () => {
    expect(
      normaliseHeaders({ 'Retry-After': '1', 'Set-Cookie': ['a', 'b'], Skip: undefined }),
    ).toEqual({ 'retry-after': '1', 'set-cookie': 'a, b' });
  });

  it('reads a fetch Headers object', () => {
    expect(normaliseHeaders(new Headers({ 'X-RateLimit-Type': 'QPS' }))).toEqual({
      'x-ratelimit-type': 'QPS',
    });
  });
});

describe('getHeader', () => {
  it('finds a header whatever the case of its name', () => {
    expect(getHeader({ 'X-RateLimit-Type': 'QPS' }, 'x-ratelimit-type')).toBe('QPS');
    expect(getHeader({ 'retry-after': '2' }, 'Retry-After')).toBe('2');
    expect(getHeader({}, 'Retry-After')).toBeNull();
  });
});
