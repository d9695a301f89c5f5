import type { Comparison, MetricValue } from '../../report/evaluation-report-schema.js';
import type { ModelMetric } from './metric-scorers.js';
import { bootstrapInterval, pairedBootstrapDifference } from './stats/bootstrap.js';
import { mcNemarFromPairs } from './stats/mcnemar.js';
import { normalApproximationInterval, wilsonInterval } from './stats/proportion-interval.js';
import { transferRatioOf } from './stats/transfer-ratio.js';

export interface ResamplingOptions {
  seed: number;
  /** Resamples for statistics of per-item scores (cheap). */
  resamples: number;
  /** Resamples for corpus metrics recomputed on each resample (GLEU, BLEU, …). */
  corpusResamples: number;
}

const interval = (low: number, high: number): [number, number] | null => (Number.isFinite(low) && Number.isFinite(high) ? [low, high] : null);

/** A proportion with Wilson's interval (and the normal approximation beside it); a corpus metric with a bootstrap. */
export function metricValue(metric: ModelMetric, count: number, options: ResamplingOptions): MetricValue {
  if (metric.perItem) {
    const successes = metric.perItem.filter(Boolean).length;
    const wilson = wilsonInterval(successes, count);
    const normal = normalApproximationInterval(successes, count);
    return { value: successes / count, ci95: [wilson.low, wilson.high], ci95_normal: [normal.low, normal.high], method: 'wilson', signature: metric.signature };
  }
  const bootstrap = bootstrapInterval(count, metric.score, { resamples: options.corpusResamples, seed: options.seed });
  return { value: bootstrap.estimate, ci95: interval(bootstrap.low, bootstrap.high), method: `bootstrap percentile, ${bootstrap.resamples} resamples`, signature: metric.signature };
}

/** `model − against` on the same items: paired bootstrap interval; McNemar's test too for per-item successes. */
export function compareMetric(model: string, metric: ModelMetric, against: string, other: ModelMetric, count: number, options: ResamplingOptions): Comparison {
  if (metric.perItem && other.perItem) {
    const paired = pairedBootstrapDifference(metric.perItem.map(Number), other.perItem.map(Number), { resamples: options.resamples, seed: options.seed });
    const test = mcNemarFromPairs(metric.perItem, other.perItem);
    return {
      metric: metric.name, model, against, difference: paired.estimate, ci95: interval(paired.low, paired.high), method: `paired bootstrap, ${paired.resamples} resamples`,
      mcnemar: { only_model: test.onlyFirstCorrect, only_against: test.onlySecondCorrect, statistic: test.statistic, p_value: test.pValue },
    };
  }
  const paired = bootstrapInterval(count, (indices) => metric.score(indices) - other.score(indices), { resamples: options.corpusResamples, seed: options.seed });
  return { metric: metric.name, model, against, difference: paired.estimate, ci95: interval(paired.low, paired.high), method: `paired bootstrap, ${paired.resamples} resamples` };
}

/** Student / teacher on the primary metric, both recomputed on the same resamples. */
export function transferRatioValue(student: ModelMetric, teacher: ModelMetric, count: number, options: ResamplingOptions): { value: number; ci95: [number, number] | null } {
  const resamples = student.perItem && teacher.perItem ? options.resamples : options.corpusResamples;
  const ratio = transferRatioOf(count, student.score, teacher.score, { resamples, seed: options.seed });
  return { value: ratio.ratio, ci95: interval(ratio.low, ratio.high) };
}
