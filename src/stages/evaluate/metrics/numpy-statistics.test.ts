import { describe, expect, it } from 'vitest';
import { numpyMean, numpyStd, numpySum } from './numpy-statistics.js';

// Recorded with numpy 2.4.6 (Python 3.11): a = [(i*0.1 + 1e-3*(i%7)) * 1.37 / 7.0 + 1/(i+3) for i in range(n)];
// repr(float(np.sum(a))), np.mean(a), np.std(a). For n=747 Python's left-to-right sum() gives 5459.3409534851835.
// Only + - * / in the inputs: they round the same in every IEEE engine, unlike pow.
const recorded = [
  { length: 5, sum: 1.2905285714285712, mean: 0.25810571428571427, std: 0.0411871351301199 },
  { length: 100, sum: 100.64338957216441, mean: 1.006433895721644, std: 0.5334935044526601 },
  { length: 500, sum: 2447.124922898419, mean: 4.894249845796837, std: 2.8133797356986117 },
  { length: 747, sum: 5459.340953485189, mean: 7.308354690073881, std: 4.211773806858002 },
];

describe('numpy float64 reductions', () => {
  it.each(recorded)('match numpy bit for bit for n=$length', ({ length, sum, mean, std }) => {
    const values = Array.from({ length }, (_, i) => (i * 0.1 + 1e-3 * (i % 7)) * 1.37 / 7.0 + 1 / (i + 3));
    expect(numpySum(values)).toBe(sum);
    expect(numpyMean(values)).toBe(mean);
    expect(numpyStd(values)).toBe(std);
  });

  it('differs from a left-to-right sum where numpy does', () => {
    const values = Array.from({ length: 747 }, (_, i) => (i * 0.1 + 1e-3 * (i % 7)) * 1.37 / 7.0 + 1 / (i + 3));
    expect(values.reduce((total, value) => total + value, 0)).toBe(5459.3409534851835);
  });
});
