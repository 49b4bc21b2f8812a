/**
 * What the simulated Zoom can be told to do instead of answering normally: Zoom's own failure
 * answers (bodies as in test/fixtures/zoom) and broken connections. Tests and the chaos suite
 * inject them; the sandbox never does.
 */

export type ZoomRoute =
  | 'token'
  | 'createMeeting'
  | 'getMeeting'
  | 'updateMeeting'
  | 'deleteMeeting'
  | 'listMeetings'
  | 'getUser'
  | 'listUsers';

export type ZoomFault =
  /** Answer this instead; the operation does not happen. */
  | { type: 'respond'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Drop the connection without an answer; the operation does not happen. */
  | { type: 'reset' }
  /** Do the operation, then drop the connection: the caller cannot know that it happened. */
  | { type: 'reset_after_effect' }
  /** Drop the connection at once and do the operation `ms` later: Zoom acting after the caller gave up. */
  | { type: 'late_effect'; ms: number }
  /** Answer normally, this much later (one slow answer; `setLatency` slows them all). */
  | { type: 'delay'; ms: number };

/** Zoom's own answers for the failures the engine must handle (bodies from test/fixtures/zoom). */
export const zoomFaults = {
  serverError: (status = 500): ZoomFault => ({
    type: 'respond',
    status,
    body: { code: status, message: 'Internal Error.' },
  }),
  /** Per-second limit; Zoom sends no Retry-After on these, but may. */
  perSecondLimit: (retryAfterSeconds?: number): ZoomFault => ({
    type: 'respond',
    status: 429,
    headers: {
      'X-RateLimit-Type': 'QPS',
      'X-RateLimit-Category': 'Medium',
      ...(retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) }),
    },
    body: {
      code: 429,
      message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
    },
  }),
  /** The per-user "100 meeting creates/updates a day" cap: known only from the body text. */
  dailyUserLimit: (): ZoomFault => ({
    type: 'respond',
    status: 429,
    body: {
      code: 429,
      message:
        'You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.',
    },
  }),
  /** The account's daily cap: Retry-After carries the date it resets. */
  dailyAccountLimit: (retryAt: Date): ZoomFault => ({
    type: 'respond',
    status: 429,
    headers: { 'Retry-After': retryAt.toISOString(), 'X-RateLimit-Category': 'Light' },
    body: { code: 429, message: 'You have reached the maximum daily rate limit for this API.' },
  }),
  expiredToken: (): ZoomFault => ({
    type: 'respond',
    status: 401,
    body: { code: 124, message: 'Access token is expired.' },
  }),
  missingScope: (scope: string): ZoomFault => ({
    type: 'respond',
    status: 400,
    body: { code: 4711, message: `Invalid access token, does not contain scopes:[${scope}].` },
  }),
  reset: (): ZoomFault => ({ type: 'reset' }),
  resetAfterEffect: (): ZoomFault => ({ type: 'reset_after_effect' }),
  lateEffect: (ms: number): ZoomFault => ({ type: 'late_effect', ms }),
} as const;
