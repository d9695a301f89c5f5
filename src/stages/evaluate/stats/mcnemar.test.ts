import { describe, expect, it } from 'vitest';
import { mcNemarFromPairs, mcNemarTest } from './mcnemar.js';

describe("McNemar's test", () => {
  it('exact test: Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, b = 1, c = 7', () => {
    // Exact conditional p = 2 * P(X <= 1), X ~ Bin(8, 1/2) = 2 * 9/256 = 0.0703; the paper reports 0.070.
    const result = mcNemarTest(1, 7);
    expect(result).toMatchObject({ method: 'exact', statistic: 1 });
    expect(result.pValue).toBe(0.0703125);
  });

  it('chi-square with continuity correction: Agresti, An Introduction to Categorical Data Analysis (2nd ed.), §8.1', () => {
    // Presidential approval, 1600 people: 150 approve -> disapprove, 86 the reverse. Agresti's uncorrected
    // z^2 = 64^2 / 236 = 17.36; corrected (|150 - 86| - 1)^2 / 236 = 16.818, p = 4.1146e-5 (scipy chi2.sf(16.818, 1)).
    const result = mcNemarTest(150, 86);
    expect(result.method).toBe('chi-square');
    expect(result.statistic).toBeCloseTo(63 ** 2 / 236, 12);
    expect(result.pValue).toBeCloseTo(4.114562281345944e-5, 17);
    expect(64 ** 2 / 236).toBeCloseTo(17.36, 2);
  });

  it('agrees with scipy on larger cases and both methods', () => {
    // scipy 1.x: chi2.sf((|121-59|-1)**2/180, 1); 2*binom.cdf(5, 24, .5); 2*binom.cdf(100, 300, .5).
    expect(mcNemarTest(121, 59).pValue).toBeCloseTo(5.450094825427117e-6, 18);
    expect(mcNemarTest(5, 19).pValue).toBeCloseTo(0.006610751152038574, 15);
    expect(mcNemarTest(100, 200, { method: 'exact' }).pValue / 8.014875216538921e-9).toBeCloseTo(1, 12);
  });

  it('switches from exact to chi-square at 25 discordant pairs and handles none', () => {
    expect(mcNemarTest(12, 12).method).toBe('exact');
    expect(mcNemarTest(12, 13).method).toBe('chi-square');
    expect(mcNemarTest(0, 0)).toMatchObject({ pValue: 1, statistic: 0 });
    expect(mcNemarTest(10, 10, { method: 'exact' }).pValue).toBe(1);
  });

  it('counts discordant pairs from per-item correctness', () => {
    const first = [true, true, false, false, true];
    const second = [true, false, true, true, false];
    expect(mcNemarFromPairs(first, second)).toMatchObject({ onlyFirstCorrect: 2, onlySecondCorrect: 2 });
    expect(() => mcNemarFromPairs([true], [])).toThrow(/1 and 0/);
  });
});
