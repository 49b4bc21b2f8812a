import { createJsonLogger } from '../../../src/log';
import { createRefusalLog, type RefusalLog } from '../../../src/server/refusal-log';

const INTERVAL_MS = 10_000;

let lines: Record<string, unknown>[];
let timers: { ms: number; fire: () => void }[];
let refusals: RefusalLog;

beforeEach(() => {
  lines = [];
  timers = [];
  refusals = createRefusalLog({
    log: createJsonLogger((line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
    startTimer: (ms, fire) => {
      timers.push({ ms, fire });
      return () => undefined;
    },
    intervalMs: INTERVAL_MS,
  });
});

/** Fires the one pending interval timer, as if the interval had passed. */
function intervalPasses(): void {
  const timer = timers.shift();
  if (!timer) throw new Error('no interval is pending');
  expect(timer.ms).toBe(INTERVAL_MS);
  timer.fire();
}

describe('the refusal log', () => {
  it('says so at the first refusal, at once', () => {
    refusals.note('connectionsEvicted');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'the receiver is refusing work to stay within its limits',
        connectionsEvicted: 1,
      }),
    ]);
  });

  it('writes at most one line per interval, with the counts of that interval by kind', () => {
    for (let i = 0; i < 5000; i++) refusals.note('connectionsEvicted');
    for (let i = 0; i < 30; i++) refusals.note('requestsTimedOut');
    refusals.note('bodiesRefused');
    expect(lines).toHaveLength(1);
    intervalPasses();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      connectionsEvicted: 4999,
      requestsTimedOut: 30,
      bodiesRefused: 1,
      periodMs: INTERVAL_MS,
    });
  });

  it('goes quiet after an interval without refusals, and speaks at once at the next one', () => {
    refusals.note('badRequests');
    intervalPasses();
    expect(lines).toHaveLength(1);
    expect(timers).toEqual([]);
    refusals.note('badRequests');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ badRequests: 1 });
  });
});
