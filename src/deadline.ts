import { HttpTransportError, type HttpClient } from './http';

/**
 * One time budget shared by every call a unit of work makes (Calendly, the Zoom token, Zoom,
 * Upstash), so the work as a whole ends on time rather than each call on its own. Zapier gives a
 * step 30 s; per-call timeouts alone let three slow services add up past it.
 */
export interface Deadline {
  /** Milliseconds since the epoch, on `now`'s clock. */
  readonly at: number;
  readonly now: () => number;
}

/** Below this, a request is not started: it could not get an answer in time anyway. */
export const MIN_REQUEST_BUDGET_MS = 250;

export function deadlineIn(budgetMs: number, now: () => number = Date.now): Deadline {
  return { at: now() + budgetMs, now };
}

export function remainingMs(deadline: Deadline): number {
  return Math.max(0, deadline.at - deadline.now());
}

/**
 * Every request through `http` gets at most what is left of the deadline as its timeout, and none
 * is sent once too little is left. Either way the caller sees a timed-out HttpTransportError, which
 * every client already treats as "no answer: try again later".
 */
export function httpWithinDeadline(http: HttpClient, deadline: Deadline): HttpClient {
  return (request) => {
    const left = remainingMs(deadline);
    if (left < MIN_REQUEST_BUDGET_MS) {
      const { origin, pathname } = new URL(request.url);
      return Promise.reject(
        new HttpTransportError(
          `${request.method} ${origin}${pathname} was not sent: the time budget for this step is used up`,
          true,
        ),
      );
    }
    return http({ ...request, timeoutMs: Math.min(request.timeoutMs ?? left, left) });
  };
}
