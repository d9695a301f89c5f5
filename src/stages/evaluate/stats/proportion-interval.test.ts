import { describe, expect, it } from 'vitest';
import { normalApproximationInterval, wilsonInterval } from './proportion-interval.js';
import { StatsInputError } from './stats-input-error.js';

// Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of seven
// methods. Statistics in Medicine 17:857-872, Table I (95% intervals; method 1 = Wald, method 3 = Wilson score).
const newcombeTableI: [number, number, [number, number]][] = [
  [81, 263, [0.2553, 0.3662]],
  [15, 148, [0.0624, 0.1605]],
  [0, 20, [0, 0.1611]],
  [1, 29, [0.0061, 0.1718]],
];

describe('proportion intervals', () => {
  it.each(newcombeTableI)('Wilson %i/%i matches Newcombe (1998) Table I', (successes, total, [low, high]) => {
    const interval = wilsonInterval(successes, total);
    expect(interval.low.toFixed(4)).toBe(low.toFixed(4));
    expect(interval.high.toFixed(4)).toBe(high.toFixed(4));
  });

  it('normal approximation matches Newcombe (1998) Table I for 81/263 and 15/148', () => {
    const first = normalApproximationInterval(81, 263);
    expect([first.low.toFixed(4), first.high.toFixed(4)]).toEqual(['0.2522', '0.3638']);
    const second = normalApproximationInterval(15, 148);
    expect([second.low.toFixed(4), second.high.toFixed(4)]).toEqual(['0.0527', '0.1500']);
  });

  it('shows the normal approximation failing where Wilson does not', () => {
    // 1/29: p ± 1.959964 sqrt(p(1-p)/29) overshoots below 0; 0/20 collapses to a point.
    expect(normalApproximationInterval(1, 29).low).toBeCloseTo(1 / 29 - 1.959964 * Math.sqrt(((1 / 29) * (28 / 29)) / 29), 6);
    expect(normalApproximationInterval(1, 29).low).toBeLessThan(0);
    expect(normalApproximationInterval(0, 20)).toMatchObject({ low: 0, high: 0 });
    expect(wilsonInterval(20, 20).high).toBe(1);
  });

  it('uses the requested confidence and rejects impossible counts', () => {
    expect(wilsonInterval(81, 263, 0.99).low).toBeLessThan(wilsonInterval(81, 263).low);
    expect(() => wilsonInterval(5, 4)).toThrow(StatsInputError);
    expect(() => wilsonInterval(1, 0)).toThrow(StatsInputError);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(StatsInputError);
  });
});
