// What does a new Zapier container pay to load the app? Each sample is a fresh Node process that
// requires the built app (dist/index.js), against one that requires bare zapier-platform-core, in
// alternation in the same run. Target: the app's median load time <= 1.5x core's.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { BenchResult } from './run';
import { percentile } from './stats';

const SAMPLES = 15;
const MAX_RATIO = 1.5;

const PROBE = `
const start = process.hrtime.bigint();
require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, heapMb: process.memoryUsage().heapUsed / 1048576 }));
`;

function sample(target: string): { ms: number; heapMb: number } {
  const out = execFileSync(process.execPath, ['-e', PROBE, target], { encoding: 'utf8' });
  return JSON.parse(out) as { ms: number; heapMb: number };
}

export async function coldStartBench(): Promise<BenchResult> {
  // Compiled to dist/bench/; the app is dist/index.js.
  const app = resolve(__dirname, '../index.js');
  const core = require.resolve('zapier-platform-core');
  const appSamples: { ms: number; heapMb: number }[] = [];
  const coreSamples: { ms: number; heapMb: number }[] = [];
  sample(app); // the first load also warms the file-system cache
  for (let i = 0; i < SAMPLES; i++) {
    coreSamples.push(sample(core));
    appSamples.push(sample(app));
  }
  const appMs = percentile(
    appSamples.map((s) => s.ms),
    50,
  );
  const coreMs = percentile(
    coreSamples.map((s) => s.ms),
    50,
  );
  const ratio = Math.round((appMs / coreMs) * 1000) / 1000;
  return {
    name: 'zapier cold start (require)',
    metrics: {
      app_median_ms: Math.round(appMs * 10) / 10,
      core_median_ms: Math.round(coreMs * 10) / 10,
      ratio,
      app_heap_mb:
        Math.round(
          percentile(
            appSamples.map((s) => s.heapMb),
            50,
          ) * 10,
        ) / 10,
      core_heap_mb:
        Math.round(
          percentile(
            coreSamples.map((s) => s.heapMb),
            50,
          ) * 10,
        ) / 10,
    },
    targets: { ratio: { max: MAX_RATIO } },
    pass: ratio <= MAX_RATIO,
  };
}
