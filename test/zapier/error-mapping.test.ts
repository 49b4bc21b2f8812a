import nock from 'nock';
import { errors } from 'zapier-platform-core';
import { HostResolutionError } from '../../src/lifecycle';
import { HttpTransportError } from '../../src/http';
import { ZoomNetworkError, ZoomRateLimitError } from '../../src/zoom/errors';
import { BookingBusyError, MAX_THROTTLE_SECONDS, toZapierError } from '../../zapier/errors';
import {
  App,
  calendlyApi,
  connection,
  eventUri,
  HOST,
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

describe('credentials', () => {
  it('Zoom refusing the app credentials asks the user to reconnect (ExpiredAuthError)', async () => {
    nock(ZOOM_OAUTH)
      .post('/oauth/token')
      .query(true)
      .reply(400, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('ExpiredAuthError');
    expect(error.message).toContain('Zoom rejected the Client ID or Client Secret');
  });

  it('Zoom rejecting even a fresh token asks the user to reconnect', async () => {
    // The first 401 costs one more token and one retry; a second 401 on that fresh token is final.
    const tokens = zoomToken(2);
    zoomApi()
      .delete(`/v2/meetings/${MEETING}`)
      .query(true)
      .twice()
      .reply(401, { code: 124, message: 'Invalid access token.' });

    const error = await zapierErrorOf(tester()(deleteMeeting, bundle({ meeting_id: MEETING })));

    expect(error.name).toBe('ExpiredAuthError');
    expect(error.message).toContain('Zoom rejected the access token');
    expect(tokens.isDone()).toBe(true);
  });

  it('Calendly refusing the token asks the user to reconnect', async () => {
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
  it('a booking without a Zoom host says which setting to fill in', async () => {
    const uuid = upstash.newEventUuid();

    const error = await zapierErrorOf(
      tester()(
        createMeeting,
        bundle({
          event_uri: eventUri(uuid),
          invitee_uri: inviteeUri(uuid),
          start_time: '2026-03-10T14:00:00Z',
          duration_minutes: 30,
        }),
      ),
    );

    expect(error.detail).toMatchObject({ code: 'InvalidSettings', status: 400 });
    expect(String(error.detail.message)).toContain('Default Zoom Host (default_host)');
  });

  it('Upstash being down is a retryable error that says so', async () => {
    upstash.bridge.setDown(true, 'status');
    try {
      const error = await zapierErrorOf(
        tester()(
          createMeeting,
          bundle({
            event_uri: upstash.newEventUuid(),
            invitee_uri: inviteeUri('x'),
            start_time: '2026-03-10T14:00:00Z',
            duration_minutes: 30,
            host_email: HOST,
          }),
        ),
      );

      expect(error.detail).toMatchObject({ code: 'StoreUnavailable', status: 503 });
    } finally {
      upstash.bridge.setDown(false);
    }
  });
});

describe('toZapierError', () => {
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

    expect(JSON.parse((mapped as Error).message).message).not.toContain('ZOOM_DEFAULT_HOST');
  });

  it.each([
    ['Zoom', new ZoomNetworkError('Could not reach Zoom to create a meeting.', false)],
    [
      'the z.request adapter',
      new HttpTransportError('GET https://x got no answer: timed out', true),
    ],
  ])('maps "no answer" from %s to a retryable network error', (_from, error) => {
    expect(JSON.parse((toZapierError(error) as Error).message)).toMatchObject({
      code: 'NetworkError',
      status: 504,
    });
  });

  it('passes through errors it does not know', () => {
    const unknown = new TypeError('boom');

    expect(toZapierError(unknown)).toBe(unknown);
  });
});
