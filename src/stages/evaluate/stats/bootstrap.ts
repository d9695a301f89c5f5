/**
 * Percentile bootstrap intervals (Efron & Tibshirani 1993, ch. 13), resampling items with replacement.
 * Paired variants draw the same items for both systems, so item difficulty cancels out (Koehn 2004).
 * Draws come from a seeded Mersenne Twister identical to Python's: `random.seed(seed)` then
 * `random.randrange(n)` n times per resample reproduces the resamples in Python.
 */
import { PythonRandom } from '../metrics/python-random.js';
import { quantileOfSorted } from './percentiles.js';
import { StatsInputError } from './stats-input-error.js';

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  confidence?: number;
  seed?: number;
}

export interface BootstrapInterval {
  /** The statistic on the original items. */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  seed: number;
  /** Resamples whose statistic was not finite (e.g. a ratio over zero), left out of the percentiles. */
  droppedResamples: number;
}

/**
 * Bootstraps any statistic of a set of items: `statistic` receives the drawn item indices (with repeats)
 * and may compute a corpus-level figure such as BLEU from them.
 */
export function bootstrapInterval(
  itemCount: number,
  statistic: (indices: readonly number[]) => number,
  options: BootstrapOptions = {},
): BootstrapInterval & { replicates: number[] } {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 12345;
  if (!Number.isInteger(itemCount) || itemCount < 1) throw new StatsInputError(`bootstrap needs at least one item, got ${itemCount}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new StatsInputError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new StatsInputError(`confidence must be in (0, 1), got ${confidence}`);

  const generator = new PythonRandom(seed);
  const replicates: number[] = [];
  for (let resample = 0; resample < resamples; resample++) {
    const indices = Array.from({ length: itemCount }, () => generator.randbelow(itemCount));
    replicates.push(statistic(indices));
  }
  const finite = replicates.filter((value) => Number.isFinite(value)).sort((left, right) => left - right);
  const estimate = statistic(Array.from({ length: itemCount }, (_, index) => index));
  const tail = (1 - confidence) / 2;
  return {
    estimate,
    low: finite.length === 0 ? Number.NaN : quantileOfSorted(finite, tail),
    high: finite.length === 0 ? Number.NaN : quantileOfSorted(finite, 1 - tail),
    confidence,
    resamples,
    seed,
    droppedResamples: resamples - finite.length,
    replicates,
  };
}

export function meanOf(values: readonly number[], indices: readonly number[]): number {
  let total = 0;
  for (const index of indices) total += values[index]!;
  return total / indices.length;
}

/** Percentile bootstrap interval for the mean of per-item scores. */
export function bootstrapMeanInterval(values: readonly number[], options: BootstrapOptions = {}): BootstrapInterval {
  const { replicates: _replicates, ...interval } = bootstrapInterval(values.length, (indices) => meanOf(values, indices), options);
  return interval;
}

export interface PairedDifference extends BootstrapInterval {
  /** Share of resamples in which A's mean is not above B's: a one-sided bootstrap p-value for "A beats B". */
  shareNotAbove: number;
}

/** Paired bootstrap interval for mean(A) - mean(B), A and B scored on the same items. */
export function pairedBootstrapDifference(
  scoresA: readonly number[],
  scoresB: readonly number[],
  options: BootstrapOptions = {},
): PairedDifference {
  checkPaired(scoresA, scoresB);
  const { replicates, ...interval } = bootstrapInterval(
    scoresA.length,
    (indices) => meanOf(scoresA, indices) - meanOf(scoresB, indices),
    options,
  );
  return { ...interval, shareNotAbove: replicates.filter((difference) => difference <= 0).length / replicates.length };
}

export function checkPaired(first: readonly number[], second: readonly number[]): void {
  if (first.length !== second.length) {
    throw new StatsInputError(`paired scores differ in length: ${first.length} and ${second.length}`);
  }
}
