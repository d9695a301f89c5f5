import { z } from 'zod';

/**
 * `evaluate/report.json`, the contract other tools read (the dashboard, CI gates, the Markdown and HTML
 * reports). Metric values are on a 0..1 scale; latencies in milliseconds; costs in USD.
 */

const interval = z.tuple([z.number(), z.number()]);

export const metricValueSchema = z.object({
  value: z.number(),
  ci95: interval.nullable(),
  /** The normal-approximation interval beside Wilson's, for proportions (for comparison). */
  ci95_normal: interval.nullable().optional(),
  method: z.string().describe('How ci95 was obtained: wilson, bootstrap, …'),
  signature: z.string().optional().describe('sacrebleu-style signature that makes the score reproducible.'),
});
export type MetricValue = z.infer<typeof metricValueSchema>;

const percentiles = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), mean: z.number() });

export const modelReportSchema = z.object({
  model_id: z.string(),
  endpoint: z.string(),
  n: z.number().int(),
  failed: z.number().int(),
  metrics: z.record(z.string(), metricValueSchema),
  latency_ms: percentiles.nullable(),
  time_to_first_token_ms: percentiles.nullable(),
  /** Requests per second at the configured concurrency (Little's law: concurrency / mean latency). */
  throughput_rps: z.number().nullable(),
  tokens_per_request: z.object({ prompt: z.number(), completion: z.number() }),
  cost_per_1k: z.number(),
  priced: z.boolean(),
  cached: z.number().int(),
});
export type ModelReport = z.infer<typeof modelReportSchema>;

export const comparisonSchema = z.object({
  metric: z.string(),
  model: z.string(),
  against: z.string(),
  /** model − against, on the same items. */
  difference: z.number(),
  ci95: interval.nullable(),
  method: z.string(),
  mcnemar: z.object({ only_model: z.number().int(), only_against: z.number().int(), statistic: z.number(), p_value: z.number() }).optional(),
});
export type Comparison = z.infer<typeof comparisonSchema>;

export const pairwiseReportSchema = z.object({
  against: z.string(),
  n: z.number().int(),
  wins: z.number().int(),
  ties: z.number().int(),
  losses: z.number().int(),
  unparsable: z.number().int(),
  win_rate: metricValueSchema,
  loss_rate: metricValueSchema,
  position_bias: z.object({
    pairs: z.number().int(),
    consistent: z.number().int(),
    /** Of the verdicts that named a side, the share naming the first answer (0.5: no bias). */
    first_position_rate: metricValueSchema.nullable(),
  }),
});
export type PairwiseReport = z.infer<typeof pairwiseReportSchema>;

export const errorAnalysisSchema = z.object({
  basis: z.string().describe('The item-level metric that says right or wrong.'),
  student_errors: z.number().int(),
  inherited: z.number().int(),
  compression: z.number().int(),
  student_only_correct: z.number().int(),
  ids: z.object({ inherited: z.array(z.string()), compression: z.array(z.string()), student_only_correct: z.array(z.string()) }),
});

export const stratumSchema = z.object({ n: z.number().int(), metrics: z.record(z.string(), z.record(z.string(), z.number())) });

export const evaluationReportSchema = z.object({
  primary_metric: z.string(),
  models: z.record(z.string(), modelReportSchema),
  comparisons: z.array(comparisonSchema),
  transfer_ratio: z.object({ value: z.number(), ci95: interval.nullable() }).nullable(),
  speedup: z.record(z.string(), z.number()).describe('Student p50 speed-up over each other model (their p50 / student p50).'),
  judge_calls: z
    .object({ needed: z.number().int(), saved: z.number().int() })
    .catchall(z.number())
    .nullable(),
  unparsable_verdicts: z.array(z.object({ input: z.string(), prediction: z.string(), reply: z.string(), error: z.string().nullable() })),
  pairwise: pairwiseReportSchema.nullable(),
  error_analysis: errorAnalysisSchema.nullable(),
  strata: z.record(z.string(), z.record(z.string(), stratumSchema)),
  verdict: z.object({ label: z.enum(['viable', 'marginal', 'not ready']), reason: z.string() }),
  request_errors: z
    .array(z.object({ model: z.string(), id: z.string(), error: z.string() }))
    .default([])
    .describe('Requests that failed for good; their items are left out of every model\'s scores.'),
  notes: z.array(z.string()),
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;
