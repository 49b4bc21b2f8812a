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

/**
 * A hook delivery this Zap must not act on (forged, unsigned, altered, or the Zap lost its key).
 * Anyone who learns the hook URL can send one, so it must never count towards Zapier turning the
 * Zap off: it stops the run as Halted, which Zapier shows in the Zap history and never counts.
 */
export class DeliveryRejectedError extends Error {
  override readonly name = 'DeliveryRejectedError';
}

/** The step's "Stop this Zap if the booking was already handled" caught a repeat. */
export class AlreadyHandledError extends Error {
  override readonly name = 'AlreadyHandledError';
}

/** Longest wait handed to Zapier as a ThrottledError; anything longer is not a blip. */
export const MAX_THROTTLE_SECONDS = 300;
const BUSY_RETRY_SECONDS = 30;
/** For services that did not answer: long enough for a blip to pass. */
const TRANSIENT_RETRY_SECONDS = 60;

/**
 * The one place engine errors become Zapier's. Zapier reads the class (docs/zapier.md, "Errors"):
 * - ThrottledError: Zapier runs the step again after `delay` seconds. For anything that may work
 *   on its own a moment later: a service that did not answer, rate limits, a busy booking.
 * - ExpiredAuthError: the connection is marked expired and its Zaps are held until the user
 *   reconnects. Only for credentials Calendly or Zoom refuse as such.
 * - HaltedError: the run stops as Halted; Zapier never turns a Zap off for it. For what a person
 *   has to fix in a setting or a field (the message names it), and for deliveries to refuse.
 * - Error: the run fails and counts towards Zapier turning the Zap off. Left for failures that
 *   are neither: a daily limit.
 * Errors not known here pass through unchanged.
 */
export function toZapierError(error: unknown): unknown {
  if (error instanceof BookingBusyError) {
    return new errors.ThrottledError(error.message, BUSY_RETRY_SECONDS);
  }
  if (error instanceof DeliveryRejectedError || error instanceof AlreadyHandledError) {
    return new errors.HaltedError(error.message);
  }
  if (error instanceof ZoomRateLimitError) return rateLimit(error);
  if (error instanceof ZoomAuthError) {
    return error.credentialsRejected
      ? new errors.ExpiredAuthError(
          `${error.message} Then reconnect the account in Zapier with the corrected values.`,
        )
      : new errors.HaltedError(
          `${error.message} The connection itself is fine: no need to reconnect once that is done.`,
        );
  }
  if (error instanceof CalendlyApiError) return calendly(error);
  if (error instanceof HostResolutionError) {
    // The engine's wording names the CLI's environment variable; a Zap has a field instead.
    return new errors.HaltedError(
      "The booking's host is not a user of your Zoom account, or the booking names no host: choose a Default Zoom Host (default_host) in this step.",
    );
  }
  if (error instanceof ConfigError || error instanceof InvalidPayloadError) {
    return new errors.HaltedError(error.message);
  }
  if (error instanceof ZoomApiError) {
    return error.transient ? retryLater(error.message) : new errors.HaltedError(error.message);
  }
  if (
    error instanceof ZoomNetworkError ||
    error instanceof HttpTransportError ||
    error instanceof StoreError
  ) {
    return retryLater(error.message);
  }
  return error;
}

function rateLimit(error: ZoomRateLimitError): Error {
  const seconds =
    error.retryAfterMs === null ? null : Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  if (!error.daily && seconds !== null && seconds <= MAX_THROTTLE_SECONDS) {
    return new errors.ThrottledError(error.message, seconds);
  }
  // A daily cap resets hours from now: a throttled rerun would only fail again until then.
  return new errors.Error(error.message, error.daily ? 'ZoomDailyLimit' : 'ZoomRateLimit', 429);
}

function calendly(error: CalendlyApiError): Error {
  if (error.status === 401) {
    return new errors.ExpiredAuthError(
      'Calendly no longer accepts the personal access token: generate a new one (Calendly → Integrations & Apps → API & Webhooks) and reconnect the account in Zapier.',
    );
  }
  if (error.status === 429)
    return new errors.ThrottledError(error.message, TRANSIENT_RETRY_SECONDS);
  return error.transient ? retryLater(error.message) : new errors.HaltedError(error.message);
}

function retryLater(message: string): Error {
  return new errors.ThrottledError(
    `${message} Zapier runs this step again in a minute.`,
    TRANSIENT_RETRY_SECONDS,
  );
}

/** The connection test's verdict: every service that failed, each named, in one message. */
export function connectionTestError(problems: readonly string[]): Error {
  return new errors.Error(problems.join('\n'), 'ConnectionTestFailed', 401);
}
