/** Statistics for evaluation reports: intervals, paired comparisons, significance, latency percentiles. */
export {
  type BootstrapInterval,
  type BootstrapOptions,
  type PairedDifference,
  bootstrapInterval,
  bootstrapMeanInterval,
  pairedBootstrapDifference,
} from './bootstrap.js';
export { type McNemarMethod, type McNemarOptions, type McNemarResult, mcNemarFromPairs, mcNemarTest } from './mcnemar.js';
export { chiSquareOneDfUpperTail, normalQuantile, normalUpperTail } from './normal-distribution.js';
export { type LatencySummary, type PercentileMethod, latencyPercentiles, percentile, quantileOfSorted } from './percentiles.js';
export { type ProportionInterval, normalApproximationInterval, wilsonInterval } from './proportion-interval.js';
export { StatsInputError } from './stats-input-error.js';
export { type TransferRatioResult, transferRatio, transferRatioOf } from './transfer-ratio.js';
