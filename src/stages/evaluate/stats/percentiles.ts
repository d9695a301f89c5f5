/**
 * Percentiles of a sample, e.g. request latencies. 'linear' (default) interpolates between the two
 * nearest order statistics at rank h = (n - 1) p: Hyndman & Fan's type 7, the default of numpy.percentile,
 * R's quantile and Excel's PERCENTILE.INC. 'nearest-rank' returns an observed value, the ceil(p n)-th
 * smallest: what SLO dashboards often quote.
 */
import { StatsInputError } from './stats-input-error.js';

export type PercentileMethod = 'linear' | 'nearest-rank';

/** The p-quantile (0 <= p <= 1) of values sorted ascending. */
export function quantileOfSorted(sorted: readonly number[], p: number, method: PercentileMethod = 'linear'): number {
  if (sorted.length === 0) throw new StatsInputError('a percentile needs at least one value');
  if (!(p >= 0 && p <= 1)) throw new StatsInputError(`percentile fraction must be in [0, 1], got ${p}`);
  if (method === 'nearest-rank') return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
  const rank = (sorted.length - 1) * p;
  const below = Math.floor(rank);
  const lower = sorted[below]!;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)]!;
  const fraction = rank - below;
  // numpy's lerp: from the nearer end, so results agree with numpy.quantile to the last bit.
  return fraction >= 0.5 ? upper - (upper - lower) * (1 - fraction) : lower + (upper - lower) * fraction;
}

export function percentile(values: readonly number[], p: number, method: PercentileMethod = 'linear'): number {
  return quantileOfSorted(sortAscending(values), p, method);
}

export interface LatencySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  method: PercentileMethod;
}

export function latencyPercentiles(values: readonly number[], method: PercentileMethod = 'linear'): LatencySummary {
  const sorted = sortAscending(values);
  if (sorted.length === 0) throw new StatsInputError('latency percentiles need at least one value');
  return {
    count: sorted.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: values.reduce((total, value) => total + value, 0) / values.length,
    p50: quantileOfSorted(sorted, 0.5, method),
    p95: quantileOfSorted(sorted, 0.95, method),
    p99: quantileOfSorted(sorted, 0.99, method),
    method,
  };
}

function sortAscending(values: readonly number[]): number[] {
  if (values.some((value) => Number.isNaN(value))) throw new StatsInputError('percentiles of NaN are undefined');
  return [...values].sort((left, right) => left - right);
}
