import { classifyResponse, parseZoomErrorBody } from '../../../src/zoom/failure';
import { fixture } from './zoom-test-kit';

const NOW = Date.parse('2026-11-26T20:00:00Z');
const respond = (name: string) => {
  const exchange = fixture(name);
  return {
    status: exchange.status,
    headers: exchange.headers,
    body: JSON.stringify(exchange.body),
  };
};

describe('classifyResponse: 429', () => {
  it('reads a QPS 429 as per-second, whatever the header case', () => {
    const failure = classifyResponse(respond('rate-limit.429.per-second'), NOW);
    expect(failure).toMatchObject({
      kind: 'rate_limited',
      limit: { daily: false, retryAfterMs: null, category: 'Medium' },
    });
  });

  it('reads a numeric Retry-After as seconds to wait', () => {
    const response = respond('rate-limit.429.per-second');
    const failure = classifyResponse(
      { ...response, headers: { ...response.headers, 'RETRY-AFTER': '3' } },
      NOW,
    );
    expect(failure).toMatchObject({ limit: { daily: false, retryAfterMs: 3000 } });
  });

  it('reads a date in Retry-After as a daily account limit lifting at that date', () => {
    const failure = classifyResponse(respond('rate-limit.429.daily-account'), NOW);
    expect(failure).toMatchObject({
      kind: 'rate_limited',
      limit: { daily: true, scope: 'account', retryAt: new Date('2026-11-27T00:00:00Z') },
    });
  });

  it('reads the per-user "Meeting Create/Update" message as a daily limit lifting at 00:00 UTC', () => {
    const failure = classifyResponse(respond('rate-limit.429.meeting-user-daily'), NOW);
    expect(failure).toMatchObject({
      kind: 'rate_limited',
      limit: {
        daily: true,
        scope: 'user_meeting_writes',
        retryAt: new Date('2026-11-27T00:00:00Z'),
      },
    });
  });
});

describe('classifyResponse: other statuses', () => {
  it('reads 401 as unauthorized with its code', () => {
    expect(classifyResponse(respond('access-token-invalid.401'), NOW)).toMatchObject({
      kind: 'unauthorized',
      code: 124,
    });
  });

  it.each([
    [
      4711,
      'Invalid access token, does not contain scopes:[user:read:list_users:admin].',
      ['user:read:list_users:admin'],
    ],
    [
      4700,
      'Invalid access token, does not contain scopes:[meeting:write, meeting:write:admin].',
      ['meeting:write', 'meeting:write:admin'],
    ],
  ])('reads code %i as a missing scope and names the scopes', (code, message, scopes) => {
    const failure = classifyResponse(
      { status: 400, headers: {}, body: JSON.stringify({ code, message }) },
      NOW,
    );
    expect(failure).toMatchObject({ kind: 'missing_scope', scopes });
  });

  it('reads 5xx as a server failure even without a JSON body', () => {
    expect(
      classifyResponse({ status: 502, headers: {}, body: '<html>Bad gateway</html>' }, NOW),
    ).toMatchObject({
      kind: 'server',
      status: 502,
      code: null,
    });
  });

  it('reads other 4xx as a client failure with field errors', () => {
    const [validation] = fixture<{ status: number; body: unknown }[]>('api-errors');
    const failure = classifyResponse(
      { status: validation?.status ?? 0, headers: {}, body: JSON.stringify(validation?.body) },
      NOW,
    );
    expect(failure).toMatchObject({
      kind: 'client',
      code: 300,
      fieldErrors: [{ field: 'start_time', message: 'Invalid field.' }],
    });
  });
});

describe('parseZoomErrorBody', () => {
  it('accepts a code sent as a string', () => {
    expect(parseZoomErrorBody('{"code":"3001","message":"gone"}')).toMatchObject({ code: 3001 });
  });

  it('gives an empty body for text that is not JSON', () => {
    expect(parseZoomErrorBody('')).toEqual({ code: null, message: '', fieldErrors: [] });
  });
});
