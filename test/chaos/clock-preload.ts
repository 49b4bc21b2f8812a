import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Preloaded into the receiver process (`node -r`): its Date.now runs CHAOS_CLOCK_OFFSET_MS ahead,
 * and every SIGUSR2 moves it CHAOS_CLOCK_STEP_MS further, then says so on stdout.
 *
 * Why: a worker killed mid-booking (or cut off by a store outage) leaves a 60 s lease behind, and
 * recovery waits for it to run out. Calendly's retries span hours, so in production that wait is
 * invisible; the chaos run compresses Calendly's back-off into seconds, so it compresses the lease
 * wait the same way, by jumping the receiver's clock past the lease (the sender signs with the same
 * moved clock). Nothing else in the receiver reads time the clock could confuse: timers and
 * timeouts run on the monotonic clock.
 */
const SOURCE = `'use strict';
const realNow = Date.now;
let offset = Number(process.env.CHAOS_CLOCK_OFFSET_MS || 0);
const step = Number(process.env.CHAOS_CLOCK_STEP_MS || 0);
Date.now = () => realNow() + offset;
process.on('SIGUSR2', () => {
  offset += step;
  process.stdout.write(JSON.stringify({ level: 'info', message: 'chaos clock advanced', offsetMs: offset }) + '\\n');
});
`;

/** Writes the preload into `dir` and returns its path. */
export function writeClockPreload(dir: string): string {
  const path = join(dir, 'chaos-clock-preload.js');
  writeFileSync(path, SOURCE);
  return path;
}

export const CLOCK_ADVANCED_MESSAGE = 'chaos clock advanced';
