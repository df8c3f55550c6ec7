/** Small statistics for benchmark samples. */

/** The q-quantile (0..1) of `values` by nearest rank; NaN for no values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]): number => quantile(values, 0.5);

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** p50/p95/p99, rounded to 0.1. */
export function percentiles(values: number[]): Percentiles {
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    p50: round(quantile(values, 0.5)),
    p95: round(quantile(values, 0.95)),
    p99: round(quantile(values, 0.99)),
  };
}

/** Rounds to `digits` significant decimals for reports. */
export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};
