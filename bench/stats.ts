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
