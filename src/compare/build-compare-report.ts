import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { readJsonlTolerant } from '../data/jsonl.js';
import { DataError } from '../errors.js';
import { evaluationReportSchema, type EvaluationReport } from '../report/evaluation-report-schema.js';
import type { RunPaths } from '../stages/run-paths.js';
import { STUDENT, type EvaluateConfig } from '../stages/evaluate/evaluate-config.js';
import type { EvaluationItem } from '../stages/evaluate/evaluation-item.js';
import { metricsFor } from '../stages/evaluate/metric-scorers.js';
import { compareMetric } from '../stages/evaluate/metric-statistics.js';
import { predictionRecordSchema } from '../stages/evaluate/prediction-record.js';
import type { CompareReport, VariantRow } from './compare-report-schema.js';
import type { Variant } from './variant-task.js';

/** The fields of `train/metrics.json` the table shows; on-policy training adds its teacher calls and tokens. */
const trainMetricsSchema = z.object({
  seconds: z.number().nullable().optional(),
  total_steps: z.number().nullable().optional(),
  steps: z.array(z.object({ step: z.number() })).default([]),
  teacher_calls: z.number().optional(),
  teacher_tokens: z.number().optional(),
});
const generationSchema = z.object({ answered: z.number(), prompt_tokens: z.number(), completion_tokens: z.number() });
const itemRowSchema = z.object({ id: z.string(), correct: z.record(z.string(), z.boolean()).nullable() });

export interface EvaluatedVariant {
  variant: Variant;
  paths: RunPaths;
}

const readJson = <T>(schema: z.ZodType<T>, file: string): T => {
  if (!existsSync(file)) throw new DataError('missing: the variant has not finished its stages (run distillery compare again)', file);
  return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
};

/** The loss (with its k and KL weight where it has them) and how the weights are trained (full, lora, qlora). */
function lossLabel(variant: Variant): string {
  const student = variant.task.config.student;
  const loss = student?.loss;
  const details = [loss?.top_k === undefined ? undefined : `k=${loss.top_k}`, loss?.alpha === undefined ? undefined : `alpha=${loss.alpha}`].filter((part) => part !== undefined);
  return `${loss?.type ?? 'sft'}${details.length > 0 ? ` (${details.join(', ')})` : ''}, ${student?.method ?? 'lora'}`;
}

/**
 * The comparison: per variant its student's primary metric (as its own evaluation reported it), transfer ratio,
 * training time, steps and teacher calls; and each variant minus `against` on the items every variant answered,
 * with a paired bootstrap interval and McNemar's test.
 */
export function buildCompareReport(options: {
  name: string;
  config: EvaluateConfig;
  primary: string;
  items: readonly EvaluationItem[];
  variants: readonly EvaluatedVariant[];
  against: string;
  generationSummary: string;
  seed?: number;
}): CompareReport {
  const { config, primary, variants } = options;
  const reports = new Map<string, EvaluationReport>();
  const outputs = new Map<string, Map<string, string>>();
  const validity = new Map<string, Map<string, boolean>>();
  for (const { variant, paths } of variants) {
    reports.set(variant.name, readJson(evaluationReportSchema, paths.evaluate.report));
    const records = readJsonlTolerant(paths.evaluate.predictions).map((value) => predictionRecordSchema.parse(value));
    outputs.set(variant.name, new Map(records.filter((record) => record.model === STUDENT && record.error === null).map((record) => [record.id, record.output])));
    if (existsSync(paths.evaluate.items)) {
      const rows = readJsonlTolerant(paths.evaluate.items).map((value) => itemRowSchema.parse(value));
      validity.set(variant.name, new Map(rows.flatMap((row) => (row.correct?.[STUDENT] === undefined ? [] : [[row.id, row.correct[STUDENT]] as const]))));
    }
  }
  // Paired means the same items: those every variant's student answered.
  const common = options.items.filter((item) => variants.every(({ variant }) => outputs.get(variant.name)!.has(item.id)));
  const scored = (name: string) => {
    const perItem = validity.get(name);
    const metrics = metricsFor(
      common.map((item) => outputs.get(name)!.get(item.id)!),
      { items: common, config, validity: perItem && common.map((item) => perItem.get(item.id) ?? false) },
    );
    const metric = metrics.find((entry) => entry.name === primary);
    if (metric === undefined) throw new DataError(`the primary metric ${primary} was not computed`, name);
    return metric;
  };
  const resampling = { seed: options.seed ?? config.seed, resamples: config.bootstrap_samples, corpusResamples: config.corpus_bootstrap_samples };
  const reference = scored(options.against);
  const paired = variants
    .filter(({ variant }) => variant.name !== options.against)
    .map(({ variant }) => compareMetric(variant.name, scored(variant.name), options.against, reference, common.length, resampling));

  const rows: VariantRow[] = variants.map(({ variant, paths }) => {
    const report = reports.get(variant.name)!;
    const train = readJson(trainMetricsSchema, paths.train.metrics);
    const student = report.models[STUDENT]?.metrics[primary];
    if (student === undefined) throw new DataError(`no ${primary} for the student`, paths.evaluate.report);
    return {
      name: variant.name,
      description: variant.description ?? null,
      loss: lossLabel(variant),
      include_reasoning: variant.task.config.split.include_reasoning,
      metric: student,
      transfer_ratio: report.transfer_ratio,
      train_seconds: train.seconds ?? null,
      steps: train.total_steps ?? train.steps.at(-1)?.step ?? null,
      teacher_calls: train.teacher_calls ?? 0,
      teacher_tokens: train.teacher_tokens ?? 0,
      verdict: report.verdict.label,
    };
  });
  const first = reports.get(variants[0]!.variant.name)!;
  const references = Object.fromEntries(
    Object.entries(first.models).flatMap(([name, model]) => (name === STUDENT || model.metrics[primary] === undefined ? [] : [[name, model.metrics[primary]!] as const])),
  );
  const generation = existsSync(options.generationSummary) ? generationSchema.parse(JSON.parse(readFileSync(options.generationSummary, 'utf8'))) : undefined;
  return {
    name: options.name,
    primary_metric: primary,
    items: common.length,
    against: options.against,
    references,
    generation: { teacher_calls: generation?.answered ?? 0, prompt_tokens: generation?.prompt_tokens ?? 0, completion_tokens: generation?.completion_tokens ?? 0 },
    variants: rows,
    paired,
  };
}
