import nock from 'nock';
import { errors } from 'zapier-platform-core';
import { CalendlyApiError } from '../../src/calendly/client';
import { InvalidPayloadError } from '../../src/calendly/errors';
import { ConfigError } from '../../src/errors';
import { HostResolutionError } from '../../src/lifecycle';
import { HttpTransportError } from '../../src/http';
import { StoreError } from '../../src/store/errors';
import {
  ZoomApiError,
  ZoomAuthError,
  ZoomNetworkError,
  ZoomRateLimitError,
} from '../../src/zoom/errors';
import {
  BookingBusyError,
  DeliveryRejectedError,
  MAX_THROTTLE_SECONDS,
  toZapierError,
} from '../../zapier/errors';
import { buildInviteeCreated } from '../support/calendly-payloads';
import {
  App,
  calendlyApi,
  calendlyBooking,
  connection,
  hookOperation,
  inviteeUri,
  tester,
  useBridge,
  useNock,
  zapierErrorOf,
  ZOOM_OAUTH,
  zoomApi,
  zoomToken,
} from './zapier-test-kit';

useNock();
const upstash = useBridge();

const deleteMeeting = App.creates.delete_meeting.operation.perform;
const updateMeeting = App.creates.update_meeting.operation.perform;
const createMeeting = App.creates.create_meeting.operation.perform;
const findUser = App.searches.find_user.operation.perform;
const MEETING = '85746065432';

function bundle(inputData: Record<string, unknown>) {
  return { authData: connection(upstash.bridge), inputData };
}

function deleteAnswers(status: number, body: object, headers: Record<string, string> = {}): void {
  zoomToken();
  zoomApi().delete(`/v2/meetings/${MEETING}`).query(true).reply(status, body, headers);
}

describe('Zoom rate limits', () => {
  const perSecond = {
    code: 429,
    message: 'You have reached the maximum per-second rate limit for this API.',
  };

  it('a per-second limit whose wait fits becomes a ThrottledError with that delay', async () => {
    deleteAnswers(429, perSecond, { 'X-RateLimit-Type': 'QPS', 'Retry-After': '60' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('ThrottledError');
    expect(error.detail).toMatchObject({ delay: 60 });
    expect(String(error.detail.message)).toContain("Zoom's per-second rate limit");
  });

  it(`a wait longer than ${MAX_THROTTLE_SECONDS} s is an error, not a throttle`, async () => {
    deleteAnswers(429, perSecond, { 'X-RateLimit-Type': 'QPS', 'Retry-After': '900' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('AppError');
    expect(error.detail).toMatchObject({ code: 'ZoomRateLimit', status: 429 });
  });

  it("the account's daily limit fails clearly, naming when it resets, and is never a throttle", async () => {
    deleteAnswers(
      429,
      { code: 429, message: 'You have reached the maximum daily rate limit for this API.' },
      { 'X-RateLimit-Type': 'Daily-limit', 'Retry-After': '2026-11-27T00:00:00Z' },
    );

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('AppError');
    expect(error.detail).toMatchObject({ code: 'ZoomDailyLimit', status: 429 });
    expect(String(error.detail.message)).toMatch(
      /daily request limit.*after 2026-11-27T00:00:00.000Z/,
    );
  });

  it("a host's 100 meeting creates/updates a day fails clearly, and is never a throttle", async () => {
    zoomToken();
    zoomApi().patch(`/v2/meetings/${MEETING}`).reply(429, {
      code: 429,
      message:
        'You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.',
    });

    const error = await zapierErrorOf(
      tester()(updateMeeting, bundle({ meeting_id: MEETING, topic: 'x' })),
    );

    expect(error.name).toBe('AppError');
    expect(error.detail).toMatchObject({ code: 'ZoomDailyLimit' });
    expect(String(error.detail.message)).toContain('100 meeting creates/updates per day');
  });
});

describe('credentials and app settings', () => {
  function tokenEndpointAnswers(status: number, body: object): void {
    nock(ZOOM_OAUTH).post('/oauth/token').query(true).reply(status, body);
  }

  it('Zoom refusing the Client ID or Secret expires the connection: only new values fix it', async () => {
    tokenEndpointAnswers(400, {
      reason: 'Invalid client_id or client_secret',
      error: 'invalid_client',
    });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('ExpiredAuthError');
    expect(error.message).toContain('Zoom rejected the Client ID or Client Secret');
    expect(error.message).toContain('reconnect the account in Zapier');
  });

  it('Zoom refusing the Account ID expires the connection', async () => {
    tokenEndpointAnswers(400, {
      reason: 'Invalid request : Bad Request',
      error: 'invalid_request',
    });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('ExpiredAuthError');
    expect(error.message).toContain('Account ID');
  });

  it('a deactivated Zoom app names Activation and does not expire the connection (Halted)', async () => {
    tokenEndpointAnswers(400, { reason: 'The app has been disabled', error: 'invalid_client' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('The Zoom Server-to-Server OAuth app is deactivated');
    expect(error.message).toContain('no need to reconnect');
  });

  it('a missing Zoom scope names the scope and does not expire the connection (Halted)', async () => {
    zoomToken();
    zoomApi()
      .get(`/v2/users/${encodeURIComponent('someone@example.com')}`)
      .reply(400, {
        code: 4711,
        message: 'Invalid access token, does not contain scopes:[user:read:user:admin].',
      });

    const error = await zapierErrorOf(tester()(findUser, bundle({ email: 'someone@example.com' })));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('The Zoom app lacks the scope user:read:user:admin');
  });

  it('Zoom rejecting even a fresh token points at the app, without expiring the connection', async () => {
    // The first 401 costs one more token and one retry; a second 401 on that fresh token is final.
    const tokens = zoomToken(2);
    zoomApi()
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .twice()
      .reply(401, { code: 124, message: 'Invalid access token.' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Zoom rejected the access token');
    expect(tokens.isDone()).toBe(true);
  });

  it('Zoom saying on a fresh token that the app is deactivated names Activation (Halted)', async () => {
    zoomToken(2);
    zoomApi()
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .twice()
      .reply(401, { code: 4717, message: 'The app has been disabled by the account admin.' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('The Zoom Server-to-Server OAuth app is deactivated');
    expect(error.message).toContain('→ Activation');
  });

  it('Calendly refusing the token expires the connection', async () => {
    calendlyApi().get('/users/me').reply(401, { title: 'Unauthenticated' });

    const error = await zapierErrorOf(
      tester()(hookOperation('invitee_created').performList, bundle({})),
    );

    expect(error.name).toBe('ExpiredAuthError');
    expect(error.message).toContain('Calendly no longer accepts the personal access token');
  });

  it('Calendly rate limiting becomes a ThrottledError', async () => {
    calendlyApi().get('/users/me').reply(429, { title: 'Too Many Requests' });

    const error = await zapierErrorOf(
      tester()(hookOperation('invitee_created').performList, bundle({})),
    );

    expect(error.name).toBe('ThrottledError');
    expect(error.detail).toMatchObject({ delay: 60 });
  });
});

describe('settings, input and outages', () => {
  it('a booking without a Zoom host names the setting to fill in (Halted)', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(buildInviteeCreated({ eventUuid: uuid, inviteeUuid: 'inv-1', hostEmails: [] }));

    const error = await zapierErrorOf(
      tester()(createMeeting, bundle({ invitee_uri: inviteeUri(uuid) })),
    );

    expect(error.name).toBe('HaltedError');
    expect(error.message).toContain('Default Zoom Host (default_host)');
  });

  it('Upstash being down asks Zapier to run the step again, saying which service', async () => {
    const uuid = upstash.newEventUuid();
    calendlyBooking(buildInviteeCreated({ eventUuid: uuid, inviteeUuid: 'inv-1' }));
    upstash.bridge.setDown(true, 'status');
    try {
      const error = await zapierErrorOf(
        tester()(createMeeting, bundle({ invitee_uri: inviteeUri(uuid) })),
      );

      expect(error.name).toBe('ThrottledError');
      expect(error.detail).toMatchObject({ delay: 60 });
      expect(String(error.detail.message)).toContain('Upstash');
    } finally {
      upstash.bridge.setDown(false);
    }
  });
});

describe('toZapierError', () => {
  const classOf = (error: unknown): string => (toZapierError(error) as Error).name;

  it('asks for a retry in 30 s while another run holds the booking', () => {
    const mapped = toZapierError(new BookingBusyError('busy'));

    expect(mapped).toBeInstanceOf(errors.ThrottledError);
    expect(JSON.parse((mapped as Error).message)).toEqual({ message: 'busy', delay: 30 });
  });

  it('does not throttle a per-second limit whose wait is unknown', () => {
    const limit = new ZoomRateLimitError('slow down', {
      daily: false,
      retryAfterMs: null,
      retryAt: null,
    });

    expect(toZapierError(limit)).toBeInstanceOf(errors.Error);
  });

  it('rounds a sub-second wait up to one second', () => {
    const limit = new ZoomRateLimitError('slow down', {
      daily: false,
      retryAfterMs: 200,
      retryAt: null,
    });

    expect(JSON.parse((toZapierError(limit) as Error).message)).toMatchObject({ delay: 1 });
  });

  it("rewords the engine's missing-host error in the terms of the step", () => {
    const mapped = toZapierError(
      new HostResolutionError('Booking x names no host and ZOOM_DEFAULT_HOST is not set.'),
    );

    expect(mapped).toBeInstanceOf(errors.HaltedError);
    expect((mapped as Error).message).not.toContain('ZOOM_DEFAULT_HOST');
  });

  it.each([
    [
      'Zoom not answering',
      new ZoomNetworkError('Could not reach Zoom to create a meeting.', false),
    ],
    [
      'the z.request adapter timing out',
      new HttpTransportError('GET https://x got no answer', true),
    ],
    ['Upstash failing', new StoreError('Upstash store: get failed')],
    ["Zoom's side failing (5xx)", new ZoomApiError(502, null, 'Zoom failed on its side')],
    ['Calendly not answering', new CalendlyApiError(0, null, 'Could not reach Calendly')],
    ["Calendly's side failing (5xx)", new CalendlyApiError(503, null, 'Calendly failed')],
  ])('asks Zapier to run the step again in a minute for %s', (_case, error) => {
    const mapped = toZapierError(error) as Error;

    expect(mapped).toBeInstanceOf(errors.ThrottledError);
    expect(JSON.parse(mapped.message)).toMatchObject({ delay: 60 });
  });

  it.each([
    ['a field that is wrong', new InvalidPayloadError('meeting_id', 'Zoom Meeting ID is wrong')],
    ['a connection value that is wrong', new ConfigError('Upstash Redis REST URL must be https')],
    ['a delivery this Zap refused', new DeliveryRejectedError('forged')],
    ['a Zoom request Zoom refused (4xx)', new ZoomApiError(400, 300, 'Validation Failed')],
    ['Calendly refusing a request (403)', new CalendlyApiError(403, null, 'Permission Denied')],
    ['a missing Zoom scope', new ZoomAuthError('lacks a scope', 'scopes')],
    ['a deactivated Zoom app', new ZoomAuthError('deactivated', 'app_disabled')],
  ])(
    'stops the run as Halted, never counted towards turning the Zap off, for %s',
    (_case, error) => {
      expect(classOf(error)).toBe('HaltedError');
    },
  );

  it.each([
    ['the Account ID', 'account_id' as const],
    ['the Client ID or Secret', 'client_credentials' as const],
  ])('expires the connection only when Zoom refuses %s', (_case, setting) => {
    expect(classOf(new ZoomAuthError('refused', setting))).toBe('ExpiredAuthError');
  });

  it('passes through errors it does not know', () => {
    const unknown = new TypeError('boom');

    expect(toZapierError(unknown)).toBe(unknown);
  });
});
