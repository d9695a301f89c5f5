import { describe, expect, it } from 'vitest';
import { formatFixed } from './python-format.js';

// Recorded from Python 3.11: ('%.2f' % v, '%.3f' % v, '%f' % v, '%.0f' % v).
const recorded: [number, string, string, string, string][] = [
  [0.125, '0.12', '0.125', '0.125000', '0'],
  [0.375, '0.38', '0.375', '0.375000', '0'],
  [2.5, '2.50', '2.500', '2.500000', '2'],
  [0.0005, '0.00', '0.001', '0.000500', '0'],
  [1e-7, '0.00', '0.000', '0.000000', '0'],
  [123456.789, '123456.79', '123456.789', '123456.789000', '123457'],
  [0.4054301, '0.41', '0.405', '0.405430', '0'],
  [-0.0, '-0.00', '-0.000', '-0.000000', '-0'],
  [-0.0004, '-0.00', '-0.000', '-0.000400', '-0'],
  [1e22, '10000000000000000000000.00', '10000000000000000000000.000', '10000000000000000000000.000000', '10000000000000000000000'],
  [5e-324, '0.00', '0.000', '0.000000', '0'],
  [0.1, '0.10', '0.100', '0.100000', '0'],
];

describe('formatFixed', () => {
  it.each(recorded)('formats %s as Python does', (value, two, three, six, zero) => {
    expect([2, 3, 6, 0].map((digits) => formatFixed(value, digits))).toEqual([two, three, six, zero]);
  });

  it('prints nan and infinities as Python does', () => {
    expect([formatFixed(Number.NaN, 3), formatFixed(Infinity, 3), formatFixed(-Infinity, 3)]).toEqual(['nan', 'inf', '-inf']);
  });
});
