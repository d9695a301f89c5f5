import { describe, expect, it } from 'vitest';
import { latencyPercentiles, percentile } from './percentiles.js';
import { StatsInputError } from './stats-input-error.js';

describe('percentiles', () => {
  // Wikipedia, "Percentile": the list 15, 20, 35, 40, 50. Nearest rank: P30 = 20, P40 = 20, P50 = 35,
  // P100 = 50. Linear interpolation between closest ranks with C = 1 (numpy's default): P40 = 29.
  const list = [50, 15, 40, 20, 35];

  it('nearest rank', () => {
    expect([0.3, 0.4, 0.5, 1].map((p) => percentile(list, p, 'nearest-rank'))).toEqual([20, 20, 35, 50]);
  });

  it('linear interpolation (type 7)', () => {
    expect(percentile(list, 0.4)).toBe(29);
    expect(percentile(list, 0)).toBe(15);
    expect(percentile(list, 1)).toBe(50);
  });

  it('agrees with numpy.quantile on a latency sample', () => {
    // numpy 2.4: np.quantile(latencies, [0.5, 0.95, 0.99]) and np.mean.
    const latencies = [12.5, 13.1, 11.9, 250.0, 14.2, 13.3, 12.8, 99.1, 13.0, 12.2, 15.5, 13.9, 12.1, 40.0, 13.4];
    const { mean, ...summary } = latencyPercentiles(latencies);
    expect(mean).toBeCloseTo(36.46666666666666, 12);
    expect(summary).toEqual({
      count: 15,
      min: 11.9,
      max: 250,
      p50: 13.3,
      p95: 144.36999999999983,
      p99: 228.8739999999999,
      method: 'linear',
    });
  });

  it('rejects empty samples and NaN', () => {
    expect(() => latencyPercentiles([])).toThrow(StatsInputError);
    expect(() => percentile([1, Number.NaN], 0.5)).toThrow(StatsInputError);
  });
});
