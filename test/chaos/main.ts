// `npm run chaos`: the full chaos suite. Ten seeds in a row at full size (reschedule modes
// alternating), then a fault-free phase per mode that measures the drain against the floor Zoom's
// per-second limit sets, then memory over 100,000 deliveries. Prints the tables; exits 1 when an
// invariant breaks (naming the seed) or a target is missed.
//
// Environment: CHAOS_SEEDS (10), CHAOS_FIRST_SEED (1), CHAOS_SIZE (2000), CHAOS_MODES
// ("recreate,move", used in turn), CHAOS_FLOOR_SIZE (600), CHAOS_MEMORY ("0" skips it),
// MEMORY_DELIVERIES (100000).

import { memoryBench } from '../../bench/memory.bench';
import { runChaos, type ChaosResult } from './chaos-run';
import { ensureBuilt } from './ensure-build';
import {
  DRAIN_TARGET_RATIO,
  formatChaosTable,
  formatFloorTable,
  formatRunDetails,
  table,
} from './report';

/** Per-second limit of the chaos phase: its 429s come in bursts while 32 deliveries push. */
const CHAOS_QPS = 40;
/** The floor phase's limit: low enough that the limiter, not the machine, sets the pace. */
const FLOOR_QPS = 10;
const CONCURRENCY = 32;
const STORE_OUTAGE_MS = 3000;
const FLEET_SIZE = 3;

const env = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) ? value : fallback;
};

async function main(): Promise<void> {
  const seeds = env('CHAOS_SEEDS', 10);
  const first = env('CHAOS_FIRST_SEED', 1);
  const size = env('CHAOS_SIZE', 2000);
  const floorSize = env('CHAOS_FLOOR_SIZE', 600);
  const modes = (process.env.CHAOS_MODES ?? 'recreate,move')
    .split(',')
    .filter((m): m is 'recreate' | 'move' => m === 'recreate' || m === 'move');
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const started = performance.now();

  const built = ensureBuilt();
  if (built > 0) say(`built dist/ in ${(built / 1000).toFixed(1)} s`);

  const chaos: ChaosResult[] = [];
  const fleetSeeds = env('CHAOS_FLEET_SEEDS', 2);
  for (let seed = first; seed < first + seeds + fleetSeeds; seed++) {
    const mode = modes[(seed - first) % modes.length] ?? 'recreate';
    // The last seeds run a fleet: three receivers on the one store behind a round-robin sender.
    const receivers = seed >= first + seeds ? FLEET_SIZE : 1;
    say(`chaos seed ${seed} (${mode}, ${size} deliveries, ${receivers} receiver(s))`);
    const result = await runChaos({
      seed,
      size,
      mode,
      faults: true,
      kill: true,
      storeOutageMs: STORE_OUTAGE_MS,
      qps: CHAOS_QPS,
      concurrency: CONCURRENCY,
      receivers,
      notify: true,
      progress: say,
    });
    chaos.push(result);
    say(formatRunDetails(result));
    if (!result.pass) say(`INVARIANT BROKEN: seed ${seed} (${mode})`);
  }

  const floor: ChaosResult[] = [];
  const floorRuns = (floorSize > 0 ? modes : []).map((mode) => ({ mode, receivers: 1 }));
  if (floorSize > 0) floorRuns.push({ mode: 'recreate', receivers: FLEET_SIZE });
  for (const [i, { mode, receivers }] of floorRuns.entries()) {
    const seed = 1000 + first + i;
    say(
      `fault-free seed ${seed} (${mode}, ${floorSize} deliveries, qps ${FLOOR_QPS}, ${receivers} receiver(s))`,
    );
    const result = await runChaos({
      seed,
      size: floorSize,
      mode,
      faults: false,
      kill: false,
      storeOutageMs: 0,
      qps: FLOOR_QPS,
      concurrency: CONCURRENCY,
      receivers,
      progress: say,
    });
    floor.push(result);
    say(formatRunDetails(result));
  }

  const memory = process.env.CHAOS_MEMORY === '0' ? null : await memoryBench();

  say('\n== chaos phase: Zoom faults, token revocations, SIGKILL + restart, store outage');
  say(
    `   qps limit ${CHAOS_QPS}/s, ${CONCURRENCY} deliveries in flight, store outage ${STORE_OUTAGE_MS} ms\n`,
  );
  say(formatChaosTable(chaos));
  say(`\n== fault-free phase: only the qps limit (${FLOOR_QPS}/s); floor = Zoom calls / qps\n`);
  say(formatFloorTable(floor));
  if (memory) {
    say('\n== memory\n');
    say(
      table([
        ['metric', 'value', 'target', 'ok'],
        ...Object.entries(memory.metrics).map(([metric, value]) => {
          const target = memory.targets[metric];
          if (!target) return [metric, String(value), '', ''];
          const ok = (target.min ?? -Infinity) <= value && value <= (target.max ?? Infinity);
          const bound = target.max === undefined ? `≥ ${target.min}` : `≤ ${target.max}`;
          return [metric, String(value), bound, ok ? 'yes' : 'NO'];
        }),
      ]),
    );
  }

  const broken = chaos.filter((r) => !r.pass).map((r) => `${r.options.seed} (${r.options.mode})`);
  const floorBroken = floor.filter(
    (r) =>
      !r.pass || r.sender.drainMs / r.floorMs > DRAIN_TARGET_RATIO || r.zoom.tokensIssued !== 1,
  );
  say(`\nwall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (broken.length > 0) say(`FAILED seeds: ${broken.join(', ')}`);
  if (floorBroken.length > 0) {
    say(`MISSED floor target: ${floorBroken.map((r) => r.options.seed).join(', ')}`);
  }
  if (memory && !memory.pass) say('MISSED memory target');
  if (broken.length > 0 || floorBroken.length > 0 || (memory && !memory.pass)) {
    process.exitCode = 1;
  } else {
    say(`all ${chaos.length} seeds held every invariant`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
