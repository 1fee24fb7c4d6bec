/** Small statistics helpers for benchmarks. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export const median = (values: number[]) => percentile(values, 50);

/** Formats milliseconds for a report line. */
export const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
