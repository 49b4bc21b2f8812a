import {
  zoomFaults,
  type FakeZoomFault,
  type FakeZoomRequest,
  type FakeZoomRoute,
} from '../support/fake-zoom-server';
import { DAILY_LIMIT_HOST } from './traffic';

/** Per-request fault odds, by what the request does. */
export interface FaultRates {
  serverError: number;
  /** The operation happens, the answer is lost (a timeout after the meeting was created). */
  resetAfterEffect: number;
  /** The connection drops before Zoom does anything. */
  reset: number;
  /** A slow answer: 200-1500 ms. */
  slow: number;
  /** Creates only: no answer, and Zoom makes the meeting 0.5-2.5 s later (inside the settle time). */
  lateEffect: number;
}

/** Writes are where a lost answer hurts (create, PATCH, DELETE): they get the most faults. */
export const CHAOS_FAULT_RATES: Record<'write' | 'read' | 'token', FaultRates> = {
  write: { serverError: 0.04, resetAfterEffect: 0.03, reset: 0.01, slow: 0.05, lateEffect: 0.02 },
  read: { serverError: 0.03, resetAfterEffect: 0, reset: 0.01, slow: 0.03, lateEffect: 0 },
  token: { serverError: 0.05, resetAfterEffect: 0, reset: 0, slow: 0.05, lateEffect: 0 },
};

export interface FaultCounts {
  serverError: number;
  resetAfterEffect: number;
  reset: number;
  slow: number;
  lateEffect: number;
  dailyLimit: number;
}

export interface FaultSchedule {
  pick(route: FakeZoomRoute, request: FakeZoomRequest): FakeZoomFault | null;
  counts: FaultCounts;
}

const WRITES: readonly FakeZoomRoute[] = ['createMeeting', 'updateMeeting', 'deleteMeeting'];
const DAILY_LIMITED_CREATE = `/v2/users/${encodeURIComponent(DAILY_LIMIT_HOST)}/meetings`;

/**
 * The fake Zoom's faults for one chaos run, drawn from the run's seeded generator. The daily-limit
 * host's creates always answer Zoom's per-user daily 429 (with or without `randomFaults`); the
 * per-second 429s come from the fake's qps limit, not from here.
 */
export function faultSchedule(rand: () => number, randomFaults: boolean): FaultSchedule {
  const counts: FaultCounts = {
    serverError: 0,
    resetAfterEffect: 0,
    reset: 0,
    slow: 0,
    lateEffect: 0,
    dailyLimit: 0,
  };
  const serverErrors = [500, 502, 503, 504];
  return {
    counts,
    pick(route, request) {
      if (route === 'createMeeting' && request.path.toLowerCase() === DAILY_LIMITED_CREATE) {
        counts.dailyLimit += 1;
        return zoomFaults.dailyUserLimit();
      }
      if (!randomFaults) return null;
      const rates =
        route === 'token'
          ? CHAOS_FAULT_RATES.token
          : WRITES.includes(route)
            ? CHAOS_FAULT_RATES.write
            : CHAOS_FAULT_RATES.read;
      let roll = rand();
      if ((roll -= rates.serverError) < 0) {
        counts.serverError += 1;
        return zoomFaults.serverError(serverErrors[Math.floor(rand() * serverErrors.length)]);
      }
      if ((roll -= rates.resetAfterEffect) < 0) {
        counts.resetAfterEffect += 1;
        return zoomFaults.resetAfterEffect();
      }
      if (route === 'createMeeting' && (roll -= rates.lateEffect) < 0) {
        counts.lateEffect += 1;
        return zoomFaults.lateEffect(500 + Math.floor(rand() * 2000));
      }
      if ((roll -= rates.reset) < 0) {
        counts.reset += 1;
        return zoomFaults.reset();
      }
      if ((roll -= rates.slow) < 0) {
        counts.slow += 1;
        return { type: 'delay', ms: 200 + Math.floor(rand() * 1300) };
      }
      return null;
    },
  };
}
