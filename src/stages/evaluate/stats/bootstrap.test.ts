import { describe, expect, it } from 'vitest';
import { bootstrapInterval, bootstrapMeanInterval, pairedBootstrapDifference } from './bootstrap.js';
import { transferRatio, transferRatioOf } from './transfer-ratio.js';

// Expected figures come from the same algorithm in Python 3.11 (random.seed(seed); per resample
// [random.randrange(n) for _ in range(n)]; statistic; numpy.quantile of the finite replicates at
// (1-c)/2 and 1-(1-c)/2), which draws the very same resamples.
const a = Array.from({ length: 60 }, (_, i) => ((i * 7919) % 101) / 100);
const b = Array.from({ length: 60 }, (_, i) => ((i * 104729) % 89) / 100);

describe('bootstrap', () => {
  it('percentile interval for a mean', () => {
    expect(bootstrapMeanInterval(a)).toEqual({
      estimate: 0.4968333333333332,
      low: 0.42880416666666665,
      high: 0.5710124999999999,
      confidence: 0.95,
      resamples: 1000,
      seed: 12345,
      droppedResamples: 0,
    });
  });

  it('paired interval for a difference of means', () => {
    const result = pairedBootstrapDifference(a, b, { resamples: 2000, seed: 7 });
    expect(result).toMatchObject({ estimate: 0.05633333333333307, low: -0.041345833333333484, high: 0.1556791666666667 });
    expect(result.shareNotAbove).toBe(0.1385);
  });

  it('transfer ratio with a paired interval', () => {
    const result = transferRatio(a, b, { resamples: 500, seed: 1, confidence: 0.9 });
    expect(result).toMatchObject({ ratio: 1.1278849791903134, low: 0.9456409139744534, high: 1.3733506382916516 });
    expect(result.student / result.teacher).toBe(result.ratio);
  });

  it('is reproducible by seed, degenerate for constant scores, and drops non-finite replicates', () => {
    expect(bootstrapMeanInterval(a, { seed: 3 })).toEqual(bootstrapMeanInterval(a, { seed: 3 }));
    expect(bootstrapMeanInterval([0.5, 0.5, 0.5])).toMatchObject({ low: 0.5, high: 0.5 });
    const zeroTeacher = transferRatioOf(3, () => 1, (indices) => (indices.includes(0) ? 1 : 0), { resamples: 200 });
    expect(zeroTeacher.droppedResamples).toBeGreaterThan(0);
    expect(zeroTeacher.low).toBe(1);
  });

  it('bootstraps a corpus-level statistic through drawn indices', () => {
    const result = bootstrapInterval(4, (indices) => new Set(indices).size, { resamples: 50 });
    expect(result.estimate).toBe(4);
    expect(result.replicates).toHaveLength(50);
    expect(result.high).toBeLessThanOrEqual(4);
  });

  it('rejects unpaired or empty input', () => {
    expect(() => pairedBootstrapDifference([1], [1, 2])).toThrow(/1 and 2/);
    expect(() => bootstrapMeanInterval([])).toThrow(/at least one item/);
  });
});
