import {
  InvalidPayloadError,
  WebhookVerificationError,
  type WebhookVerificationReason,
} from '../../../src/calendly/errors';
import { ConfigError } from '../../../src/errors';
import { HostResolutionError } from '../../../src/lifecycle';
import { outcomeOf, type OutcomeType } from '../../../src/lifecycle-outcome';
import type { BookingRecord } from '../../../src/store/booking-record';
import { StoreError } from '../../../src/store/errors';
import {
  ZoomApiError,
  ZoomAuthError,
  ZoomNetworkError,
  ZoomRateLimitError,
} from '../../../src/zoom/errors';
import {
  PayloadTooLargeError,
  ReceiverBusyError,
  RequestAbortedError,
  RequestTimeoutError,
  ShuttingDownError,
} from '../../../src/server/errors';
import {
  MAX_RETRY_AFTER_SECONDS,
  replyToError,
  replyToResult,
  RETRY_AFTER_IN_PROGRESS_SECONDS,
  RETRY_AFTER_TRANSIENT_SECONDS,
} from '../../../src/server/respond';

const NOW = Date.parse('2026-11-26T20:00:00Z');
const event = {
  eventUuid: 'ev-1',
  eventUri: 'https://api.calendly.com/scheduled_events/ev-1',
  inviteeUri: 'https://api.calendly.com/scheduled_events/ev-1/invitees/inv-1',
};
const START_URL = 'https://zoom.example/s/123?zak=host-secret';
const record = {
  status: 'active',
  meeting: {
    id: '90000000001',
    joinUrl: 'https://zoom.example/j/90000000001',
    startUrl: START_URL,
    password: 'pw0001',
    host: 'host@example.com',
  },
} as BookingRecord;

const dailyLimit = (retryAt: Date | null) =>
  new ZoomRateLimitError("Zoom's limit of 100 meeting creates/updates per day is used up.", {
    daily: true,
    retryAfterMs: null,
    retryAt,
  });

describe('replyToError: one status per failure kind', () => {
  describe.each<[string, unknown, number, string | undefined]>([
    ['StoreError', new StoreError('Upstash store: ping failed'), 503, '30'],
    ['ZoomNetworkError', new ZoomNetworkError('Could not reach Zoom', true), 503, '30'],
    ['Zoom 500', new ZoomApiError(500, null, 'Zoom failed on its side'), 503, '30'],
    ['Zoom 502', new ZoomApiError(502, null, 'Zoom failed on its side'), 503, '30'],
    ['Zoom 503', new ZoomApiError(503, null, 'Zoom failed on its side'), 503, '30'],
    ['our own request timeout', new RequestTimeoutError(12_000), 503, '30'],
    [
      'Zoom per-second 429 with Retry-After',
      new ZoomRateLimitError('per-second', { daily: false, retryAfterMs: 2500, retryAt: null }),
      503,
      '3',
    ],
    [
      'Zoom per-second 429 without Retry-After',
      new ZoomRateLimitError('per-second', { daily: false, retryAfterMs: null, retryAt: null }),
      503,
      String(RETRY_AFTER_TRANSIENT_SECONDS),
    ],
    ['Zoom daily 429, reset in 90 s', dailyLimit(new Date(NOW + 90_000)), 503, '90'],
    [
      'Zoom daily 429, reset in 20 h (capped)',
      dailyLimit(new Date(NOW + 20 * 3600_000)),
      503,
      String(MAX_RETRY_AFTER_SECONDS),
    ],
    ['Zoom daily 429, reset unknown', dailyLimit(null), 503, String(MAX_RETRY_AFTER_SECONDS)],
    ['Zoom daily 429, reset already past', dailyLimit(new Date(NOW - 5000)), 503, '1'],
    ['HostResolutionError', new HostResolutionError('no host'), 500, undefined],
    ['ZoomAuthError', new ZoomAuthError('bad secret', 'client_credentials'), 500, undefined],
    ['ConfigError', new ConfigError('bad setting'), 500, undefined],
    ['Zoom 400 (invalid field)', new ZoomApiError(400, 300, 'invalid start_time'), 500, undefined],
    ['Zoom 404 (user not found)', new ZoomApiError(404, 1001, 'no such user'), 500, undefined],
    ['an unexpected Error', new Error('boom'), 500, undefined],
    ['a thrown string', 'boom', 500, undefined],
    ['PayloadTooLargeError', new PayloadTooLargeError(1024), 413, undefined],
    ['RequestAbortedError', new RequestAbortedError('client went away'), 400, undefined],
    ['InvalidPayloadError', new InvalidPayloadError('payload.uri', 'payload.uri'), 400, undefined],
    ['ReceiverBusyError (the byte budget is spent)', new ReceiverBusyError(), 503, '5'],
    ['ShuttingDownError (abandoned at the shutdown bound)', new ShuttingDownError(), 503, '30'],
  ])('%s', (_name, error, status, retryAfter) => {
    const reply = replyToError(error, NOW);

    it(`answers ${status}`, () => {
      expect(reply.status).toBe(status);
    });

    it(retryAfter ? `says Retry-After: ${retryAfter}` : 'sends no Retry-After', () => {
      expect(reply.headers?.['Retry-After']).toBe(retryAfter);
    });

    it('logs 5xx at warn (transient) or error (someone must act), 4xx at warn', () => {
      expect(reply.level).toBe(status === 500 ? 'error' : 'warn');
    });
  });

  it.each<WebhookVerificationReason>([
    'missing_header',
    'malformed_header',
    'timestamp_too_old',
    'timestamp_in_future',
    'signature_mismatch',
  ])('answers 401 with the reason %s', (reason) => {
    const reply = replyToError(new WebhookVerificationError(reason, 'nope'), NOW);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'invalid_signature', reason });
  });

  it('names the field and the rule of a body that is not an invitee event', () => {
    const reply = replyToError(
      new InvalidPayloadError('payload.scheduled_event', 'payload.scheduled_event is missing.', {
        rule: 'missing',
      }),
      NOW,
    );
    expect(reply.body).toEqual({
      error: 'invalid_payload',
      field: 'payload.scheduled_event',
      rule: 'missing',
      message: 'payload.scheduled_event is missing.',
    });
    expect(reply.fields).toMatchObject({ field: 'payload.scheduled_event', rule: 'missing' });
  });

  it('raises an alert naming the limit when a Zoom daily limit is hit', () => {
    const reply = replyToError(dailyLimit(new Date(NOW + 3_600_000)), NOW);
    expect(reply.alert).toMatch(/daily rate limit/);
    expect(reply.fields).toMatchObject({
      daily: true,
      detail: expect.stringContaining('100 meeting creates/updates per day'),
      retryAt: new Date(NOW + 3_600_000).toISOString(),
    });
  });

  it('raises an alert for configuration problems and says what is wrong', () => {
    const reply = replyToError(
      new ZoomAuthError('Zoom rejected the Client ID', 'client_credentials'),
      NOW,
    );
    expect(reply.alert).toMatch(/Configuration problem/);
    expect(reply.body).toEqual({ error: 'configuration', message: 'Zoom rejected the Client ID' });
  });

  it('keeps the text of an unexpected error out of the answer, but in the log fields', () => {
    const reply = replyToError(new TypeError('x is undefined at secret place'), NOW);
    expect(JSON.stringify(reply.body)).not.toContain('secret place');
    expect(reply.fields.detail).toContain('secret place');
    expect(reply.alert).toBeDefined();
  });
});

describe('replyToResult', () => {
  const settled: OutcomeType[] = [
    'created',
    'duplicate',
    'cancelled',
    'already_gone',
    'kept_for_other_invitees',
    'tombstoned',
    'superseded',
    'moved',
    'skipped_native_zoom',
  ];

  it.each(settled)('answers 200 for %s', (outcome) => {
    const reply = replyToResult(outcomeOf(outcome, 'done', event, record));
    expect(reply.status).toBe(200);
    expect(reply.headers).toBeUndefined();
  });

  it('answers 503 with Retry-After while another delivery works on the booking', () => {
    const reply = replyToResult(outcomeOf('in_progress', 'busy', event, record));
    expect(reply.status).toBe(503);
    expect(reply.headers).toEqual({ 'Retry-After': String(RETRY_AFTER_IN_PROGRESS_SECONDS) });
  });

  it('answers with the meeting id and join URL, never the start URL or passcode', () => {
    const reply = replyToResult(outcomeOf('created', 'A Zoom meeting was created.', event, record));
    expect(reply.body).toEqual({
      outcome: 'created',
      message: 'A Zoom meeting was created.',
      eventUuid: 'ev-1',
      meetingId: '90000000001',
      joinUrl: 'https://zoom.example/j/90000000001',
    });
    expect(JSON.stringify(reply)).not.toContain('zak=');
    expect(JSON.stringify(reply)).not.toContain('pw0001');
  });

  it('answers null meeting fields when the booking has no meeting', () => {
    const reply = replyToResult(outcomeOf('tombstoned', 'No meeting.', event, null));
    expect(reply.body).toMatchObject({ meetingId: null, joinUrl: null });
  });

  it('answers 200 ignored for an event type we do not handle', () => {
    const reply = replyToResult({
      outcome: 'ignored',
      message: 'not handled',
      eventType: 'invitee_no_show.created',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      outcome: 'ignored',
      message: 'not handled',
      eventType: 'invitee_no_show.created',
    });
  });
});

describe('quiet replies', () => {
  it('marks only a refusal a flood can provoke at will as quiet (counted, not logged each)', () => {
    expect(replyToError(new ReceiverBusyError(), NOW).quiet).toBe(true);
    expect(replyToError(new PayloadTooLargeError(1024), NOW).quiet).toBeUndefined();
    expect(replyToError(new ShuttingDownError(), NOW).quiet).toBeUndefined();
  });
});
