import { runChaos, type ChaosResult } from './chaos-run';
import { ensureBuilt } from './ensure-build';
import { formatChaosTable, formatFloorTable, formatRunDetails } from './report';

// The chaos run at CI size: the built receiver as a child process on an Upstash store (the bridge
// over the local Redis), a Calendly-like sender redelivering everything not answered 2xx, Zoom
// faults, token revocations, a squeeze of Zoom's per-second limit, a SIGKILL + restart and a store
// outage mid-run, in both reschedule modes. `npm run chaos` runs the full size over ten seeds. No
// timing is asserted here: the drain figures are printed, the invariants are what must hold.

const SIZE = Number(process.env.CHAOS_CI_SIZE ?? 200);
const results: ChaosResult[] = [];

beforeAll(() => {
  const ms = ensureBuilt();
  if (ms > 0) console.log(`built dist/ for the chaos run in ${(ms / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(() => {
  const chaos = results.filter((r) => r.options.faults);
  const floor = results.filter((r) => !r.options.faults);
  console.log(
    [
      formatChaosTable(chaos),
      ...chaos.map(formatRunDetails),
      // Too small, and not pinned to the limiter, for the drain ratio to be judged here.
      formatFloorTable(floor, false),
      ...floor.map(formatRunDetails),
    ].join('\n\n'),
  );
});

/** Every fault the run can inject, at CI size, notifications on. */
const FAULT_RUN = {
  size: SIZE,
  faults: true,
  kill: true,
  qps: 40,
  concurrency: 16,
  notify: true,
} as const;
/** Only Zoom's qps limit. */
const CALM_RUN = {
  size: 80,
  mode: 'recreate',
  faults: false,
  kill: false,
  storeOutageMs: 0,
  qps: 40,
  concurrency: 16,
} as const;

describe.each([
  [1, 'recreate'],
  [2, 'move'],
] as const)('chaos seed %i, reschedule mode %s', (seed, mode) => {
  it(`leaves one meeting per active booking, none else, every delivery answered or reported`, async () => {
    const result = await runChaos({ ...FAULT_RUN, seed, mode, storeOutageMs: 1000 });
    results.push(result);
    expect(result.invariants.problems).toEqual([]);
    expect(result.notifications?.problems).toEqual([]);
    expect(result.notifications?.notices).toBeGreaterThan(0);
    expect(result.sender.unsettled).toBe(0);
    // Each revocation costs one token request, whatever the concurrency, and a restart none.
    expect(result.zoom.tokensIssued).toBe(result.zoom.revocations + 1);
    // The run exercised what it claims to.
    expect(result.receiver.starts).toBe(2);
    expect(result.invariants.dailyLimitBookings).toBeGreaterThan(0);
    expect(result.zoom.rateLimited).toBeGreaterThan(0);
  }, 120_000);
});

it('fault-free, under the qps limit only: one token request in all, every invariant', async () => {
  const result = await runChaos({ ...CALM_RUN, seed: 1001 });
  results.push(result);
  expect(result.invariants.problems).toEqual([]);
  expect(result.zoom.tokensIssued).toBe(1);
}, 120_000);

describe('a fleet: three receivers on one Upstash behind a round-robin sender', () => {
  it('keeps every invariant while one of them is killed mid-run', async () => {
    const result = await runChaos({
      ...FAULT_RUN,
      seed: 3,
      mode: 'move',
      storeOutageMs: 0,
      receivers: 3,
    });
    results.push(result);
    expect(result.invariants.problems).toEqual([]);
    expect(result.notifications?.problems).toEqual([]);
    expect(result.sender.unsettled).toBe(0);
    expect(result.receiver.starts).toBe(4);
    expect(result.zoom.rateLimited).toBeGreaterThan(0);
  }, 150_000);

  it('shares one Zoom token across the fleet in steady state', async () => {
    const result = await runChaos({ ...CALM_RUN, seed: 1002, receivers: 3 });
    results.push(result);
    expect(result.invariants.problems).toEqual([]);
    expect(result.zoom.tokensIssued).toBe(1);
  }, 120_000);
});
