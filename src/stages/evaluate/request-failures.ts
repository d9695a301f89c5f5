import { DistilleryError } from '../../errors.js';
import type { EvaluationItem } from './evaluation-item.js';
import type { PredictionRecord } from './prediction-record.js';

/** More requests failed than `evaluate.max_error_rate` allows: scores over what is left would mislead. */
export class EvaluationFailedError extends DistilleryError {}

export interface RequestFailure {
  model: string;
  id: string;
  error: string;
}

/** Every failed request, model by model, in item order. */
export function requestFailures(predictions: Record<string, readonly PredictionRecord[]>): RequestFailure[] {
  return Object.entries(predictions).flatMap(([model, records]) => records.filter((record) => record.error !== null).map((record) => ({ model, id: record.id, error: record.error! })));
}

/**
 * Throws when a model's share of failed requests is above `maxRate`, naming the model, the counts and the first
 * errors; the answers already given are cached, so running again resends only the failed requests.
 */
export function checkErrorRate(predictions: Record<string, readonly PredictionRecord[]>, maxRate: number): void {
  const failures = requestFailures(predictions);
  const over = Object.entries(predictions).flatMap(([model, records]) => {
    const failed = failures.filter((failure) => failure.model === model);
    return records.length > 0 && failed.length / records.length > maxRate ? [{ model, failed, total: records.length }] : [];
  });
  if (over.length === 0) return;
  const percent = (value: number) => `${(value * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const lines = over.map(({ model, failed, total }) => {
    const distinct = [...new Set(failed.map((failure) => failure.error))].slice(0, 3);
    return `${model}: ${failed.length} of ${total} requests failed (${percent(failed.length / total)}), e.g. ${distinct.join(' | ')}`;
  });
  throw new EvaluationFailedError(
    `evaluation stopped: more failed requests than evaluate.max_error_rate (${percent(maxRate)}) allows\n  ${lines.join('\n  ')}\nAnswers so far are cached: run the same command again to retry only the failed requests.`,
  );
}

/**
 * The items every model answered, and each model's predictions on them: a failed request is left out of the
 * scores (and reported), never scored as a wrong empty answer; leaving the item out for every model keeps the
 * comparisons paired.
 */
export function answeredByAll(items: readonly EvaluationItem[], predictions: Record<string, readonly PredictionRecord[]>): { items: EvaluationItem[]; predictions: Record<string, PredictionRecord[]> } {
  const keep = items.map((_, index) => Object.values(predictions).every((records) => records[index]?.error === null));
  return {
    items: items.filter((_, index) => keep[index]),
    predictions: Object.fromEntries(Object.entries(predictions).map(([model, records]) => [model, records.filter((_, index) => keep[index])])),
  };
}
