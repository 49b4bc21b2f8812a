import { CalendlyZoomError } from '../errors';

/** Zoom answered with an error we do not handle more specifically. `code` is Zoom's own code. */
export class ZoomApiError extends CalendlyZoomError {
  readonly kind = 'zoom_api';

  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** 5xx: Zoom's side failed; the same request may succeed later. */
  get transient(): boolean {
    return this.status >= 500;
  }

  /** 1001: no such user in the app's account (a host email that is not a Zoom user there). */
  get userNotFound(): boolean {
    return this.code === 1001;
  }
}

/**
 * The Server-to-Server OAuth credentials, app state or scopes are wrong. Never retried. `setting`
 * says what to fix: the credentials themselves (`account_id`, `client_credentials`), the app's
 * activation (`app_disabled`), its scopes (`scopes`), or, for a token Zoom issued and then refused
 * (`token`), the app's state and account.
 */
export class ZoomAuthError extends CalendlyZoomError {
  readonly kind = 'zoom_auth';

  constructor(
    message: string,
    readonly setting: 'account_id' | 'client_credentials' | 'app_disabled' | 'scopes' | 'token',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * Zoom refused the credentials as such: only new values fix it. Every other setting is fixed in
   * the Zoom app while the credentials stay valid, so asking for a reconnection would not help.
   */
  get credentialsRejected(): boolean {
    return this.setting === 'account_id' || this.setting === 'client_credentials';
  }
}

/**
 * Zoom said 429. `daily` limits are not worth waiting for within one request: `retryAt` says when
 * to try again (null when Zoom did not say). Per-second limits carry how long to wait.
 */
export class ZoomRateLimitError extends CalendlyZoomError {
  readonly kind = 'zoom_rate_limit';

  constructor(
    message: string,
    readonly info: { daily: boolean; retryAfterMs: number | null; retryAt: Date | null },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get daily(): boolean {
    return this.info.daily;
  }
  get retryAfterMs(): number | null {
    return this.info.retryAfterMs;
  }
  get retryAt(): Date | null {
    return this.info.retryAt;
  }
}

/** The request never got an answer (connection refused, reset, timed out). */
export class ZoomNetworkError extends CalendlyZoomError {
  readonly kind = 'zoom_network';

  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The call's deadline ran out before the next request could be sent, so this request was never
 * sent. Transient, like a network failure. For a create it also means Zoom made nothing: a create
 * is only sent again after Zoom refused it (401, 429, no token), never after an unclear answer.
 */
export class ZoomDeadlineError extends ZoomNetworkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, false, options);
  }
}
