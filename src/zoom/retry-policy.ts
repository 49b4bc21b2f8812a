import type { ZoomFailure } from './failure';

/** First back-off step; Zoom's QPS answers carry no Retry-After and its guidance is "1 s + jitter". */
export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 8000;
/**
 * A guard for clocks that do not move. The deadline is the real bound: with the defaults, 25 s
 * allows about 7 attempts.
 */
export const MAX_ATTEMPTS = 10;

export interface RetryContext {
  /** Repeating the call cannot cause a second effect (GET, PATCH, DELETE; not POST create). */
  idempotent: boolean;
  /** Requests sent so far for this call, including the one that just failed. */
  attempts: number;
  /** A fresh token was already fetched for this call after a 401. */
  tokenRefreshed: boolean;
  /** The token used came from the cache rather than a fetch made for this call. */
  tokenFromCache: boolean;
}

/** `refresh_token`: drop the cached token, fetch a new one and send again right away. */
export type RetryDecision = 'retry' | 'refresh_token' | 'fail';

export function shouldRetry(failure: ZoomFailure, context: RetryContext): RetryDecision {
  const underCap = context.attempts < MAX_ATTEMPTS;
  switch (failure.kind) {
    case 'unauthorized':
      // A 401 on a token fetched for this very call, after a refresh, is a configuration problem.
      // A refreshed token that came from a shared cache may be another process's, revoked again
      // since: that one is worth another refresh, within the attempt cap.
      if (context.tokenRefreshed && !context.tokenFromCache) return 'fail';
      if (!underCap) return 'fail';
      // 124 = expired or revoked (e.g. another process fetched a newer one): a new token fixes it.
      // Any 401 on a cached token may mean the same thing, even if Zoom words it differently.
      return failure.code === 124 || context.tokenFromCache ? 'refresh_token' : 'fail';
    case 'missing_scope':
      // Scopes added to the app after the cached token was issued only appear in a new token.
      return context.tokenFromCache && !context.tokenRefreshed ? 'refresh_token' : 'fail';
    case 'rate_limited':
      // A daily cap resets hours from now: waiting inside one request only burns the deadline.
      if (failure.limit.daily) return 'fail';
      // A per-second 429 means Zoom did nothing, so even a create is safe to send again.
      return underCap ? 'retry' : 'fail';
    case 'server':
    case 'network':
      // The request may have taken effect. Only calls that are harmless to repeat are repeated;
      // a create is guarded by the lifecycle (store claim + agenda marker) instead.
      return context.idempotent && underCap ? 'retry' : 'fail';
    case 'token_unavailable':
      // Nothing reached the API yet, so any call, a create included, may try again.
      return underCap ? 'retry' : 'fail';
    case 'client':
      // Any other 4xx: the request itself is wrong; sending it again gets the same answer.
      return 'fail';
  }
}

/**
 * Wait before retry number `retry` (1-based): Zoom's Retry-After when it gave one, plus exponential
 * back-off with "equal jitter" — half fixed so it never collapses to zero, half random so callers
 * that failed together do not come back together.
 */
export function delayMs(
  retry: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, retry - 1));
  return (retryAfterMs ?? 0) + Math.round(backoff / 2 + (random() * backoff) / 2);
}
