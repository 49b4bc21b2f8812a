/** Percentile of a sample (nearest rank); p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Microseconds, rounded to 0.1 µs, for tables. */
export function micros(ns: number): number {
  return Math.round(ns / 100) / 10;
}

/** How long `fn` took, in nanoseconds. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start);
}

/** Milliseconds, rounded to 0.1 ms, for tables. */
export function millis(ns: number): number {
  return Math.round(ns / 100_000) / 10;
}
