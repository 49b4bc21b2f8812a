import { Redis } from '@upstash/redis';
import { remainingMs, type Deadline } from './deadline';

export interface UpstashRedisOptions {
  url: string;
  token: string;
  /** Each HTTP request, its network retries included, is aborted after this long. */
  timeoutMs?: number;
  /** Network failures are retried this many times (the client's own default is 5). */
  retries?: number;
  /** When given, no request outlives it: its timeout is cut to what is left. */
  deadline?: Deadline;
}

export const DEFAULT_UPSTASH_TIMEOUT_MS = 10_000;
export const DEFAULT_UPSTASH_RETRIES = 2;

/**
 * The one place an `@upstash/redis` client is made: the booking store, the Zoom token cache and
 * the trigger dedupe all use it. Results come back as sent (`automaticDeserialization: false`),
 * so a stored id never turns into a number.
 *
 * The client's own defaults are no timeout and five retries, which can hold a Zapier step far past
 * its 30 s. The signal is handed over as a function on purpose: the client then makes one per
 * request and rethrows on abort, whereas a fixed AbortSignal that fires is turned by the client
 * into a *successful* answer whose result is the abort reason.
 */
export function createUpstashRedis(options: UpstashRedisOptions): Redis {
  const timeoutMs = options.timeoutMs ?? DEFAULT_UPSTASH_TIMEOUT_MS;
  const { deadline } = options;
  return new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
    retry: { retries: options.retries ?? DEFAULT_UPSTASH_RETRIES },
    signal: () =>
      AbortSignal.timeout(
        deadline === undefined ? timeoutMs : Math.min(timeoutMs, remainingMs(deadline)),
      ),
  });
}
