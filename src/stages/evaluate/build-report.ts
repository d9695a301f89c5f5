import { priceFor, type PriceTable } from '../../llm/pricing.js';
import type { EvaluationReport } from '../../report/evaluation-report-schema.js';
import type { ComparedModel } from './compared-model.js';
import { classifyStudentErrors } from './error-analysis.js';
import { primaryMetricOf, STUDENT, TEACHER, type EvaluateConfig } from './evaluate-config.js';
import type { EvaluationItem } from './evaluation-item.js';
import type { PairwiseJudgment } from './judgment-record.js';
import { latencyNotes, promptLengthNote } from './report-notes.js';
import { metricsFor, type ModelMetric } from './metric-scorers.js';
import { compareMetric, metricValue, transferRatioValue, type ResamplingOptions } from './metric-statistics.js';
import { summarizePairwise } from './pairwise-summary.js';
import type { PredictionRecord } from './prediction-record.js';
import type { ReferenceJudgeOutcome } from './reference-judge.js';
import type { RequestFailure } from './request-failures.js';
import { servingFigures, speedups, type ServingFigures } from './latency-cost.js';
import { stratify } from './strata.js';
import { decideVerdict } from './verdict.js';

const ITEM_LEVEL_METRICS = ['reference_match_then_judge', 'exact_match', 'accuracy'];

export interface ReportInputs {
  config: EvaluateConfig;
  items: readonly EvaluationItem[];
  models: readonly ComparedModel[];
  /** Per model name, aligned with items (the items every model answered). */
  predictions: Record<string, PredictionRecord[]>;
  /** Requests that failed for good; their items are not in `items`. */
  requestFailures: readonly RequestFailure[];
  /** Items asked, answered or not. */
  itemsAsked: number;
  reference: ReferenceJudgeOutcome | undefined;
  pairwise: PairwiseJudgment[] | undefined;
  prices: PriceTable;
}

export interface BuiltReport {
  report: EvaluationReport;
  /** Per model, per item: right or wrong by the item-level metric the error analysis uses (when there is one). */
  correct: Record<string, boolean[]> | undefined;
}

/** From predictions and verdicts to report.json: metrics with intervals, comparisons, serving figures, verdict. */
export function buildReport(inputs: ReportInputs): BuiltReport {
  const { config, items, models } = inputs;
  const count = items.length;
  const options: ResamplingOptions = { seed: config.seed, resamples: config.bootstrap_samples, corpusResamples: config.corpus_bootstrap_samples };
  const primary = primaryMetricOf(config);
  const metrics: Record<string, ModelMetric[]> = {};
  const serving: Record<string, ServingFigures> = {};
  for (const model of models) {
    const outputs = inputs.predictions[model.name]!.map((prediction) => prediction.output);
    metrics[model.name] = metricsFor(outputs, { items, config, validity: inputs.reference?.validity[model.name] });
    serving[model.name] = servingFigures(inputs.predictions[model.name]!, priceFor(inputs.prices, model.model), config.concurrency);
  }
  const metricOf = (model: string, name: string): ModelMetric | undefined => metrics[model]?.find((metric) => metric.name === name);

  const report: EvaluationReport['models'] = {};
  for (const model of models) {
    const values = Object.fromEntries(metrics[model.name]!.map((metric) => [metric.name, metricValue(metric, count, options)]));
    const failed = inputs.requestFailures.filter((failure) => failure.model === model.name).length;
    report[model.name] = { model_id: model.model, endpoint: model.endpoint, metrics: values, ...serving[model.name]!, n: inputs.itemsAsked, failed };
  }
  const comparisons = models
    .filter((model) => model.name !== STUDENT)
    .flatMap((model) => metrics[STUDENT]!.map((metric) => compareMetric(STUDENT, metric, model.name, metricOf(model.name, metric.name)!, count, options)));

  const studentPrimary = metricOf(STUDENT, primary);
  const teacherPrimary = metricOf(TEACHER, primary);
  const speedup = speedups(STUDENT, serving);
  const basis = ITEM_LEVEL_METRICS.find((name) => (config.metrics as readonly string[]).includes(name));
  const correct = basis === undefined ? undefined : Object.fromEntries(Object.entries(metrics).map(([model]) => [model, metricOf(model, basis)!.perItem!]));
  const errors = correct?.[TEACHER] ? classifyStudentErrors(items.map((item) => item.id), correct[STUDENT]!, correct[TEACHER]) : undefined;

  const verdict =
    studentPrimary && teacherPrimary
      ? decideVerdict({ metric: primary, student: report[STUDENT]!.metrics[primary]!.value, teacher: report[TEACHER]!.metrics[primary]!.value, speedup: speedup[TEACHER] }, config.verdict)
      : { label: 'not ready' as const, reason: `no model named ${TEACHER} to compare the student with` };
  return {
    correct,
    report: {
      primary_metric: primary,
      models: report,
      comparisons,
      transfer_ratio: studentPrimary && teacherPrimary ? transferRatioValue(studentPrimary, teacherPrimary, count, options) : null,
      speedup,
      judge_calls: inputs.reference ? { ...inputs.reference.judgeCalls } : null,
      unparsable_verdicts: inputs.reference?.unparsable ?? [],
      pairwise: inputs.pairwise && config.pairwise ? summarizePairwise(config.pairwise.against, inputs.pairwise) : null,
      error_analysis: errors && basis ? { basis, ...errors } : null,
      strata: stratify(items, config.data.stratify, metrics),
      verdict,
      request_errors: [...inputs.requestFailures],
      notes: [...failureNote(inputs), ...promptLengthNote(serving, models), ...latencyNotes(serving)],
    },
  };
}

function failureNote(inputs: ReportInputs): string[] {
  if (inputs.requestFailures.length === 0) return [];
  const byModel = new Map<string, number>();
  for (const failure of inputs.requestFailures) byModel.set(failure.model, (byModel.get(failure.model) ?? 0) + 1);
  const counts = [...byModel].map(([model, failed]) => `${model} ${failed}`).join(', ');
  return [`${inputs.itemsAsked - inputs.items.length} of ${inputs.itemsAsked} items are left out of every score because a request failed (${counts}); see request_errors.`];
}
