import type { Logger } from '../log';
import type { StartTimer } from '../timer';

/** Work the receiver turned away to stay within its limits. */
export type Refusal =
  /** A connection that had sent no complete request was closed to admit a new one. */
  | 'connectionsEvicted'
  /** At the connection cap with every connection busy: the new one was closed at once. */
  | 'connectionsRefused'
  /** Headers not complete within RECEIVER_HEADERS_TIMEOUT_MS (or a request within a minute). */
  | 'requestsTimedOut'
  /** Not HTTP, or headers too large. */
  | 'badRequests'
  /** Every buffered byte allowed was taken: answered 503 receiver_busy. */
  | 'bodiesRefused'
  /** accept() failed, e.g. EMFILE: out of file descriptors (ulimit -n). */
  | 'acceptFailed';

export interface RefusalLog {
  note(refusal: Refusal): void;
}

export const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * One warn line at the first refusal, then at most one per interval with the counts since the
 * last: a flood is always visible in the log, and never floods it.
 */
export function createRefusalLog(options: {
  log: Logger;
  startTimer: StartTimer;
  intervalMs?: number;
}): RefusalLog {
  const intervalMs = options.intervalMs ?? REFUSAL_LOG_INTERVAL_MS;
  let counts: Partial<Record<Refusal, number>> = {};
  let windowOpen = false;

  /** The first line of a flood counts one refusal; later ones count the interval before them. */
  const write = (periodMs: number | undefined): void => {
    options.log.warn('the receiver is refusing work to stay within its limits', {
      ...counts,
      periodMs,
    });
    counts = {};
  };
  const closeWindow = (): void => {
    if (Object.keys(counts).length === 0) {
      windowOpen = false;
      return;
    }
    write(intervalMs);
    options.startTimer(intervalMs, closeWindow);
  };

  return {
    note(refusal) {
      counts[refusal] = (counts[refusal] ?? 0) + 1;
      if (windowOpen) return;
      windowOpen = true;
      write(undefined);
      options.startTimer(intervalMs, closeWindow);
    },
  };
}
