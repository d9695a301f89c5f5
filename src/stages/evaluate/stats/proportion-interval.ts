/**
 * Confidence intervals for a proportion (accuracy, exact-match rate). Wilson's score interval is the one
 * to report: it stays inside [0, 1] and keeps its coverage near 0 and 1 and for small n. The normal
 * approximation (Wald) is here for comparison only; it is left unclipped so its failures show.
 */
import { normalQuantile } from './normal-distribution.js';
import { StatsInputError } from './stats-input-error.js';

export interface ProportionInterval {
  proportion: number;
  low: number;
  high: number;
  confidence: number;
}

function checkCounts(successes: number, total: number, confidence: number): number {
  if (!Number.isInteger(successes) || !Number.isInteger(total) || total <= 0 || successes < 0 || successes > total) {
    throw new StatsInputError(`need integers 0 <= successes <= total, total > 0; got ${successes}/${total}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new StatsInputError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** Wilson (1927) score interval. */
export function wilsonInterval(successes: number, total: number, confidence = 0.95): ProportionInterval {
  const z = checkCounts(successes, total, confidence);
  const proportion = successes / total;
  const zSquared = z * z;
  const denominator = 1 + zSquared / total;
  const centre = (proportion + zSquared / (2 * total)) / denominator;
  const halfWidth = (z * Math.sqrt((proportion * (1 - proportion)) / total + zSquared / (4 * total * total))) / denominator;
  // The bounds are exactly 0 and 1 at the extremes; rounding must not push them past.
  return {
    proportion,
    low: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: successes === total ? 1 : Math.min(1, centre + halfWidth),
    confidence,
  };
}

/** Normal approximation (Wald): p ± z sqrt(p(1-p)/n), unclipped, degenerate at 0 and n. */
export function normalApproximationInterval(successes: number, total: number, confidence = 0.95): ProportionInterval {
  const z = checkCounts(successes, total, confidence);
  const proportion = successes / total;
  const halfWidth = z * Math.sqrt((proportion * (1 - proportion)) / total);
  return { proportion, low: proportion - halfWidth, high: proportion + halfWidth, confidence };
}
