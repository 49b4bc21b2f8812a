// How much does verifyCalendlySignature add to the HMAC it has to compute anyway? Header parsing,
// key handling and the constant-time compare should be noise next to hashing the body: the target
// is verifier time / bare HMAC time <= 1.3 for a typical (5 KB) and a large (1 MB) body.

import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signCalendlyPayload, verifyCalendlySignature } from '../src/calendly/signature';

export interface SignatureBenchOptions {
  /** Timed rounds per size; each round times both implementations back to back. */
  rounds?: number;
  /** Roughly how long one round of one implementation runs. */
  roundMs?: number;
  /** Untimed warm-up per implementation and size; also sizes the rounds. */
  warmupMs?: number;
}

export interface SignatureBenchResult {
  name: string;
  metrics: Record<string, number>;
  targets: Record<string, { max?: number; min?: number }>;
  pass: boolean;
}

const MAX_RATIO = 1.3;
const KEY = '5mEzn9C-I28UtwOjZJtFoob0sAAFZ95GbZkqj4y3i0I';
const T = 1772463846;
const SIZES = [
  { label: '5KB', bytes: 5 * 1024 },
  { label: '1MB', bytes: 1024 * 1024 },
] as const;

export async function signatureBench(
  options: SignatureBenchOptions = {},
): Promise<SignatureBenchResult> {
  const rounds = options.rounds ?? 31;
  const roundMs = options.roundMs ?? 60;
  const warmupMs = options.warmupMs ?? 300;
  const metrics: Record<string, number> = {};
  const targets: SignatureBenchResult['targets'] = {};

  for (const { label, bytes } of SIZES) {
    const body = jsonBody(bytes);
    const header = signCalendlyPayload(body, KEY, T);
    const prefix = `${T}.`;
    // Both are native crypto calls V8 cannot prove pure, so neither is optimised away.
    const verifier = (): void => {
      verifyCalendlySignature({ rawBody: body, header, signingKeys: KEY, now: T * 1000 });
    };
    const bare = (): void => {
      createHmac('sha256', KEY).update(prefix).update(body).digest('hex');
    };

    const verifierIterations = calibrate(verifier, warmupMs, roundMs);
    const bareIterations = calibrate(bare, warmupMs, roundMs);
    const verifierNs: number[] = [];
    const bareNs: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, and pair the two timings of a round: load from neighbours
      // and clock changes then hit both sides of each ratio alike.
      let v: number;
      let b: number;
      if (round % 2 === 0) {
        v = nsPerOp(verifier, verifierIterations);
        b = nsPerOp(bare, bareIterations);
      } else {
        b = nsPerOp(bare, bareIterations);
        v = nsPerOp(verifier, verifierIterations);
      }
      verifierNs.push(v);
      bareNs.push(b);
      ratios.push(v / b);
      await new Promise((resolve) => setImmediate(resolve));
    }

    metrics[`verify_ops_per_sec_${label}`] = Math.round(1e9 / median(verifierNs));
    metrics[`hmac_ops_per_sec_${label}`] = Math.round(1e9 / median(bareNs));
    metrics[`ratio_${label}`] = round3(median(ratios));
    targets[`ratio_${label}`] = { max: MAX_RATIO };
  }

  const pass = SIZES.every(({ label }) => (metrics[`ratio_${label}`] ?? Infinity) <= MAX_RATIO);
  return { name: 'calendly-signature', metrics, targets, pass };
}

/** A JSON body of exactly `bytes` bytes; the hash speed does not depend on the content. */
function jsonBody(bytes: number): Buffer {
  const head = '{"event":"invitee.created","payload":{"padding":"';
  const tail = '"}}';
  return Buffer.from(head + 'x'.repeat(bytes - head.length - tail.length) + tail);
}

/** Runs `fn` for about `warmupMs` and returns how many calls fill one round of `roundMs`. */
function calibrate(fn: () => void, warmupMs: number, roundMs: number): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < warmupMs) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return Math.max(1, Math.round((calls * roundMs) / elapsed));
}

function nsPerOp(fn: () => void, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? NaN) + upper) / 2;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
