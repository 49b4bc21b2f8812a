import { errors } from 'zapier-platform-core';
import { CalendlyApiError } from '../src/calendly/client';
import { InvalidPayloadError } from '../src/calendly/errors';
import { ConfigError } from '../src/errors';
import { HttpTransportError } from '../src/http';
import { HostResolutionError } from '../src/lifecycle';
import { StoreError } from '../src/store/errors';
import {
  ZoomApiError,
  ZoomAuthError,
  ZoomNetworkError,
  ZoomRateLimitError,
} from '../src/zoom/errors';

/**
 * Another run holds this booking right now (the lifecycle's `in_progress`): asking Zapier to run
 * the step again shortly gets the finished result instead of a second meeting.
 */
export class BookingBusyError extends Error {
  override readonly name = 'BookingBusyError';
}

/** Longest wait handed to Zapier as a ThrottledError; anything longer is not a blip. */
export const MAX_THROTTLE_SECONDS = 300;
const BUSY_RETRY_SECONDS = 30;
const CALENDLY_RETRY_SECONDS = 60;

/**
 * The one place engine errors become Zapier's. Zapier reads the class: ThrottledError reruns the
 * step after `delay` seconds, ExpiredAuthError asks the user to reconnect, anything else fails the
 * run with our message (and may be replayed). Errors we do not know pass through unchanged.
 */
export function toZapierError(error: unknown): unknown {
  if (error instanceof BookingBusyError) {
    return new errors.ThrottledError(error.message, BUSY_RETRY_SECONDS);
  }
  if (error instanceof ZoomRateLimitError) {
    const seconds =
      error.retryAfterMs === null ? null : Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    if (!error.daily && seconds !== null && seconds <= MAX_THROTTLE_SECONDS) {
      return new errors.ThrottledError(error.message, seconds);
    }
    // A daily cap resets hours from now: a throttled rerun would only fail again until then.
    return new errors.Error(error.message, error.daily ? 'ZoomDailyLimit' : 'ZoomRateLimit', 429);
  }
  if (error instanceof ZoomAuthError) {
    return new errors.ExpiredAuthError(
      `${error.message} If you change a credential, reconnect the account in Zapier.`,
    );
  }
  if (error instanceof CalendlyApiError) {
    if (error.status === 401) {
      return new errors.ExpiredAuthError(
        'Calendly no longer accepts the personal access token: generate a new one (Calendly → Integrations & Apps → API & Webhooks) and reconnect the account in Zapier.',
      );
    }
    if (error.status === 429)
      return new errors.ThrottledError(error.message, CALENDLY_RETRY_SECONDS);
    return new errors.Error(error.message, 'CalendlyError', error.status || 502);
  }
  if (error instanceof HostResolutionError) {
    // The engine's wording names the CLI's environment variable; a Zap has a field instead.
    return new errors.Error(
      "The booking's host is not a user of your Zoom account, or the booking names no host: choose a Default Zoom Host (default_host) in this step.",
      'InvalidSettings',
      400,
    );
  }
  // A ConfigError needs a person to change a setting.
  if (error instanceof ConfigError) return new errors.Error(error.message, 'InvalidSettings', 400);
  if (error instanceof InvalidPayloadError)
    return new errors.Error(error.message, 'InvalidInput', 400);
  if (error instanceof ZoomApiError) {
    return new errors.Error(
      error.message,
      error.code === null ? 'ZoomError' : `Zoom${error.code}`,
      error.status || 502,
    );
  }
  if (error instanceof ZoomNetworkError || error instanceof HttpTransportError) {
    return new errors.Error(error.message, 'NetworkError', 504);
  }
  if (error instanceof StoreError) return new errors.Error(error.message, 'StoreUnavailable', 503);
  return error;
}

/** The connection test's verdict: every service that failed, each named, in one message. */
export function connectionTestError(problems: readonly string[]): Error {
  return new errors.Error(problems.join('\n'), 'ConnectionTestFailed', 401);
}
