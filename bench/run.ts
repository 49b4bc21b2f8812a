// `npm run bench`: runs every registered bench, prints one table, and writes
// bench/results/latest.json with the machine it ran on. Exits 1 when a bench misses its target.

import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release } from 'node:os';
import { resolve } from 'node:path';
import { coldStartBench } from './cold-start.bench';
import { lifecycleBench } from './lifecycle.bench';
import { notificationsBench } from './notifications.bench';
import { receiverBench } from './receiver.bench';
import { signatureBench } from './signature.bench';
import { sqliteStoreBench } from './sqlite-store.bench';
import { statusPageBench } from './status-page.bench';
import { storeBench } from './store.bench';

export interface BenchTarget {
  max?: number;
  min?: number;
}

export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  /** Keyed by metric name. */
  targets: Record<string, BenchTarget>;
  pass: boolean;
}

/** Every bench, in the order they run. Register a new one by adding it here. */
const BENCHES: readonly (() => Promise<BenchResult>)[] = [
  () => signatureBench(),
  () => lifecycleBench(),
  () => storeBench(),
  () => sqliteStoreBench(),
  () => coldStartBench(),
  () => receiverBench(),
  () => notificationsBench(),
  () => statusPageBench(),
];

// Compiled to dist/bench/run.js; results go to the source tree's bench/results/.
const RESULTS_FILE = resolve(__dirname, '../../bench/results/latest.json');

async function main(): Promise<void> {
  const results: BenchResult[] = [];
  for (const bench of BENCHES) results.push(await bench());

  printTable(results);
  const cpu = cpus();
  const report = {
    machine: {
      node: process.version,
      cpu: cpu[0]?.model ?? 'unknown',
      cpuCount: cpu.length,
      os: `${platform()} ${release()} ${arch()}`,
    },
    date: new Date().toISOString(),
    pass: results.every((r) => r.pass),
    results,
  };
  mkdirSync(resolve(RESULTS_FILE, '..'), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${report.machine.cpu} x${report.machine.cpuCount}, node ${report.machine.node}`);
  console.log(`Wrote ${RESULTS_FILE}`);
  if (!report.pass) process.exitCode = 1;
}

function printTable(results: readonly BenchResult[]): void {
  const rows = [['bench', 'metric', 'value', 'target', 'ok']];
  for (const r of results) {
    for (const [metric, value] of Object.entries(r.metrics)) {
      const target = r.targets[metric];
      rows.push([
        r.name,
        metric,
        Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(3),
        target ? describeTarget(target) : '',
        target ? (meets(value, target) ? 'yes' : 'NO') : '',
      ]);
    }
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, col) => cell.padEnd(widths?.[col] ?? 0)).join('  '));
    if (i === 0) console.log(widths?.map((w) => '-'.repeat(w)).join('  '));
  }
}

function describeTarget(t: BenchTarget): string {
  return [t.min !== undefined ? `>= ${t.min}` : '', t.max !== undefined ? `<= ${t.max}` : '']
    .filter(Boolean)
    .join(', ');
}

function meets(value: number, t: BenchTarget): boolean {
  return (t.min === undefined || value >= t.min) && (t.max === undefined || value <= t.max);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
