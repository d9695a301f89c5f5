/**
 * McNemar's test: do two models, scored right/wrong on the same items, differ? Only the discordant items
 * count (b: first right, second wrong; c: the reverse). Exact two-sided binomial test when b + c is small
 * (under 25 by default, where the chi-square approximation is poor), else chi-square with Edwards'
 * continuity correction, (|b - c| - 1)^2 / (b + c) on 1 df.
 */
import { chiSquareOneDfUpperTail } from './normal-distribution.js';
import { StatsInputError } from './stats-input-error.js';

export type McNemarMethod = 'auto' | 'exact' | 'chi-square';

export interface McNemarOptions {
  method?: McNemarMethod;
  /** With 'auto', the exact test is used while b + c is below this (default 25). */
  exactBelow?: number;
}

export interface McNemarResult {
  onlyFirstCorrect: number;
  onlySecondCorrect: number;
  method: 'exact' | 'chi-square';
  /** Chi-square statistic, or for the exact test min(b, c). */
  statistic: number;
  pValue: number;
}

/** From per-item correctness of two models on the same items. */
export function mcNemarFromPairs(first: readonly boolean[], second: readonly boolean[], options: McNemarOptions = {}): McNemarResult {
  if (first.length !== second.length) {
    throw new StatsInputError(`McNemar needs paired results: ${first.length} and ${second.length} items`);
  }
  let onlyFirst = 0;
  let onlySecond = 0;
  first.forEach((correct, index) => {
    if (correct && !second[index]) onlyFirst++;
    if (!correct && second[index]) onlySecond++;
  });
  return mcNemarTest(onlyFirst, onlySecond, options);
}

/** From the discordant counts b (only the first model right) and c (only the second). */
export function mcNemarTest(onlyFirstCorrect: number, onlySecondCorrect: number, options: McNemarOptions = {}): McNemarResult {
  const b = onlyFirstCorrect;
  const c = onlySecondCorrect;
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new StatsInputError(`McNemar counts must be non-negative integers, got ${b} and ${c}`);
  }
  const discordant = b + c;
  const requested = options.method ?? 'auto';
  const method = requested === 'auto' ? (discordant < (options.exactBelow ?? 25) ? 'exact' : 'chi-square') : requested;
  if (discordant === 0) return { onlyFirstCorrect: b, onlySecondCorrect: c, method, statistic: 0, pValue: 1 };
  if (method === 'exact') {
    const smaller = Math.min(b, c);
    return { onlyFirstCorrect: b, onlySecondCorrect: c, method, statistic: smaller, pValue: Math.min(1, 2 * binomialHalfCdf(smaller, discordant)) };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / discordant;
  return { onlyFirstCorrect: b, onlySecondCorrect: c, method, statistic, pValue: chiSquareOneDfUpperTail(statistic) };
}

/** P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n does not underflow. */
function binomialHalfCdf(k: number, n: number): number {
  let logTerm = -n * Math.LN2; // log C(n, 0) 2^-n
  let largest = logTerm;
  const logTerms = [logTerm];
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    logTerms.push(logTerm);
    largest = Math.max(largest, logTerm);
  }
  return Math.exp(largest) * logTerms.reduce((total, value) => total + Math.exp(value - largest), 0);
}
