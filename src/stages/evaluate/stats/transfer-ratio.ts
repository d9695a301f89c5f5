/**
 * Transfer ratio: how much of the teacher's quality the student keeps, student metric / teacher metric
 * on the same items, with a paired bootstrap interval (both metrics recomputed on the same resample).
 */
import { type BootstrapInterval, type BootstrapOptions, bootstrapInterval, checkPaired, meanOf } from './bootstrap.js';

export interface TransferRatioResult extends BootstrapInterval {
  /** Student metric / teacher metric on all items (same as `estimate`). */
  ratio: number;
  student: number;
  teacher: number;
}

/** From per-item scores: ratio of the means. */
export function transferRatio(
  studentScores: readonly number[],
  teacherScores: readonly number[],
  options: BootstrapOptions = {},
): TransferRatioResult {
  checkPaired(studentScores, teacherScores);
  return transferRatioOf(
    studentScores.length,
    (indices) => meanOf(studentScores, indices),
    (indices) => meanOf(teacherScores, indices),
    options,
  );
}

/** From corpus-level metrics recomputed on drawn item indices (e.g. BLEU of the resampled lines). */
export function transferRatioOf(
  itemCount: number,
  studentMetric: (indices: readonly number[]) => number,
  teacherMetric: (indices: readonly number[]) => number,
  options: BootstrapOptions = {},
): TransferRatioResult {
  const { replicates: _replicates, ...interval } = bootstrapInterval(
    itemCount,
    (indices) => studentMetric(indices) / teacherMetric(indices),
    options,
  );
  const all = Array.from({ length: itemCount }, (_, index) => index);
  return { ...interval, ratio: interval.estimate, student: studentMetric(all), teacher: teacherMetric(all) };
}
