import { describe, expect, it } from 'vitest';
import { chiSquareOneDfUpperTail, normalQuantile, normalUpperTail } from './normal-distribution.js';

// Expected values: scipy.stats (Python 3.11) norm.ppf, norm.sf and chi2.sf(x, 1).
describe('normal distribution', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.025, -1.9599639845400545],
    [0.995, 2.5758293035489004],
    [0.9, 1.2815515655446004],
    [1e-10, -6.361340902404056],
  ])('quantile(%s)', (p, z) => expect(normalQuantile(p) / z).toBeCloseTo(1, 14));

  it.each([
    [3, 0.0013498980316300933],
    [8, 6.22096057427174e-16],
    [-1, 0.8413447460685429],
    [1.4, 0.08075665923377107],
  ])('upper tail(%s)', (z, tail) => expect(normalUpperTail(z) / tail).toBeCloseTo(1, 13));

  it('chi-square with one degree of freedom', () => {
    expect(chiSquareOneDfUpperTail(4.5)).toBeCloseTo(0.033894853524689295, 15);
    expect(chiSquareOneDfUpperTail(3.841458820694124)).toBeCloseTo(0.05, 14);
    expect(chiSquareOneDfUpperTail(0)).toBe(1);
  });
});
