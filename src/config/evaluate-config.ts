import { z } from 'zod';

/**
 * The `evaluate:` section of the task spec. The top-level schema (src/config/schema.ts) imports this file, so
 * this file must not import that one back (an import cycle breaks zod's module-level constants): the prompt
 * and model-call fields evaluation needs are declared here.
 */

const promptReferenceSchema = z
  .union([z.string(), z.strictObject({ file: z.string() }), z.strictObject({ text: z.string() })])
  .describe('Literal text, { file } relative to the config, { text }, or a one-line string naming a .txt/.md file.');

export const METRIC_NAMES = ['exact_match', 'reference_match_then_judge', 'gleu', 'bleu', 'chrf', 'rouge_l', 'accuracy'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** A standard evaluation set by name (src/data/datasets), fetched and checksum-verified instead of a path. */
export const datasetReferenceSchema = z
  .strictObject({
    dataset: z.string().min(1).describe('A set known by name: jfleg.'),
    split: z.string().min(1).describe('jfleg: dev or test.'),
  })
  .describe('An evaluation set by name, read from DISTILLERY_DATA (default ~/.cache/distillery/data) or downloaded from its official source.');

export const evaluationDataSchema = z
  .strictObject({
    path: z.string().optional().describe('JSONL, CSV or Parquet file of evaluation items, relative to the config (or give dataset and split).'),
    dataset: z.string().min(1).optional().describe('A standard set by name instead of a path: jfleg (its input and references columns come with it).'),
    split: z.string().min(1).optional().describe('The split of `dataset`: jfleg has dev and test.'),
    format: z.enum(['jsonl', 'csv', 'parquet']).optional().describe('Inferred from the extension when absent.'),
    id_field: z.string().default('id').describe('Column holding an item id; the line number otherwise.'),
    input: z.string().default('input').describe('Column holding the task input.'),
    references: z.string().optional().describe('Column holding the reference output(s): a string or an array of strings.'),
    label: z.string().optional().describe('Column holding the gold label (classification tasks, metric accuracy).'),
    preprocess: z
      .array(z.enum(['detokenize_punctuation']))
      .default([])
      .describe('Applied to input and references before prompting and matching; metrics like GLEU still see the original text.'),
    stratify: z
      .array(z.string())
      .default([])
      .describe('Break results down by these: `length_bucket` (input words) or any column of the data.'),
    limit: z.number().int().positive().optional().describe('Evaluate only the first N items.'),
  })
  .describe('The evaluation set.');
export type EvaluationDataConfig = z.infer<typeof evaluationDataSchema>;

const generationFields = {
  system: promptReferenceSchema.optional().describe('System prompt.'),
  user_template: z.string().optional().describe('How an input becomes the user message; default {input}.'),
  few_shot: z.array(z.strictObject({ input: z.string(), output: z.string() })).optional().describe('Example turns before the input.'),
  assistant_prefix: z.string().optional().describe('Continued by the model (continue_final_message), e.g. an empty <think></think> block.'),
  no_think: z.boolean().optional().describe('Append /no_think to the user message (Qwen3 soft switch).'),
  max_tokens: z.number().int().positive().optional().describe('Default 1024.'),
  temperature: z.number().min(0).optional().describe('Default 0 (greedy) for evaluation.'),
  top_p: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  extra_body: z.record(z.string(), z.unknown()).optional().describe('Passed through to the request body.'),
  stream: z.boolean().optional().describe('Stream answers to record time to first token (default true).'),
};

export const explicitModelSchema = z
  .strictObject({ endpoint: z.string().describe('Endpoint name (endpoints: or the built-in local).'), model: z.string(), ...generationFields })
  .describe('A model called as configured.');

export const derivedModelSchema = z
  .strictObject({
    from: z
      .enum(['train', 'teacher'])
      .describe('train: the trained student (served model or local worker with the adapter), prompt from student:; teacher: the teacher section as it is.'),
    ...generationFields,
  })
  .describe('A model taken from another section; the fields given here override its prompt and parameters.');

export const comparedModelSchema = z.union([derivedModelSchema, explicitModelSchema]);
export type ComparedModelConfig = z.infer<typeof comparedModelSchema>;

export const judgeConfigSchema = z
  .strictObject({
    endpoint: z.string(),
    model: z.string(),
    prompt: promptReferenceSchema.optional().describe('Reference-guided validity prompt; slots {input}, {references}, {prediction}.'),
    pairwise_prompt: promptReferenceSchema.optional().describe('Pairwise prompt; slots {input}, {references}, {first}, {second}.'),
    max_tokens: z.number().int().positive().default(4096).describe('Room for a reasoning judge to think.'),
    temperature: z.number().min(0).default(0),
    extra_body: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('The judge model.');
export type JudgeConfig = z.infer<typeof judgeConfigSchema>;

export const pairwiseConfigSchema = z
  .strictObject({
    against: z.string().default('teacher').describe('The model the student is compared with.'),
    sample: z.number().int().positive().optional().describe('Items judged (seeded sample); all when absent.'),
    both_orders: z.number().int().nonnegative().default(0).describe('Of the sample, this many are judged in both orders to measure position bias.'),
  })
  .describe('Pairwise judging, student against another model, order randomized per item.');
export type PairwiseConfig = z.infer<typeof pairwiseConfigSchema>;

export const verdictConfigSchema = z
  .strictObject({
    viable_max_drop: z.number().nonnegative().default(5).describe('Points of the primary metric (0-100 scale).'),
    marginal_max_drop: z.number().nonnegative().default(10),
    min_speedup: z.number().positive().default(2).describe('Teacher p50 latency / student p50 latency.'),
  })
  .describe('The rule behind viable / marginal / not ready.');
export type VerdictConfig = z.infer<typeof verdictConfigSchema>;

export const evaluateConfigSchema = z
  .strictObject({
    data: evaluationDataSchema,
    models: z
      .record(z.string(), comparedModelSchema)
      .refine((models) => 'student' in models, { message: 'models needs a student entry (usually { from: train })' })
      .describe('Every compared model by name; `student` is the one judged, `teacher` the one it should match.'),
    metrics: z.array(z.enum(METRIC_NAMES)).min(1).describe('Metrics computed for every model.'),
    judge: judgeConfigSchema.optional(),
    pairwise: pairwiseConfigSchema.optional(),
    concurrency: z.number().int().positive().default(16).describe('Requests in flight per model (latency is measured at this load).'),
    primary_metric: z.enum(METRIC_NAMES).optional().describe('The metric of the transfer ratio and verdict; the first metric when absent.'),
    tokenize_for_gleu: z
      .enum(['none', 'jfleg'])
      .default('none')
      .describe('jfleg: model output is PTB-tokenized like JFLEG before GLEU, sources and references are scored as written.'),
    seed: z.number().int().default(42).describe('Seeds pairwise order, samples and bootstrap.'),
    bootstrap_samples: z.number().int().positive().default(1000).describe('Resamples for intervals of per-item scores (proportions, paired differences).'),
    corpus_bootstrap_samples: z
      .number()
      .int()
      .positive()
      .default(200)
      .describe('Resamples for corpus metrics recomputed on each resample (GLEU takes ~0.4 s per resample per model on 747 items).'),
    examples: z.number().int().nonnegative().default(20).describe('Example predictions shown in the report.'),
    max_error_rate: z
      .number()
      .min(0)
      .max(1)
      .default(0.02)
      .describe('Share of a model\'s requests that may fail for good; above it the evaluation stops and says why. Failed items are left out of every score and listed in report.json.'),
    verdict: verdictConfigSchema.default({ viable_max_drop: 5, marginal_max_drop: 10, min_speedup: 2 }),
  })
  .superRefine((config, context) => {
    const needsReferences = config.metrics.some((metric) => metric !== 'accuracy');
    const named = config.data.dataset !== undefined;
    if (named === (config.data.path !== undefined)) context.addIssue({ code: 'custom', path: ['data'], message: 'give either path or dataset (with split)' });
    if (named && config.data.split === undefined) context.addIssue({ code: 'custom', path: ['data', 'split'], message: 'a dataset needs a split' });
    if (needsReferences && !named && config.data.references === undefined) context.addIssue({ code: 'custom', path: ['data', 'references'], message: 'the metrics need a references column' });
    if (config.metrics.includes('accuracy') && config.data.label === undefined) context.addIssue({ code: 'custom', path: ['data', 'label'], message: 'accuracy needs a label column' });
    if (config.metrics.includes('reference_match_then_judge') && config.judge === undefined) context.addIssue({ code: 'custom', path: ['judge'], message: 'reference_match_then_judge needs a judge' });
    if (config.pairwise && config.judge === undefined) context.addIssue({ code: 'custom', path: ['judge'], message: 'pairwise needs a judge' });
    if (config.pairwise && !(config.pairwise.against in config.models)) context.addIssue({ code: 'custom', path: ['pairwise', 'against'], message: `no model named '${config.pairwise.against}'` });
    if (config.primary_metric && !config.metrics.includes(config.primary_metric)) context.addIssue({ code: 'custom', path: ['primary_metric'], message: 'must be one of metrics' });
  })
  .describe('Evaluation: does the student do the teacher\'s job?');
export type EvaluateConfig = z.infer<typeof evaluateConfigSchema>;

/** The model under evaluation, and the one whose job it should do: names under `models`. */
export const STUDENT = 'student';
export const TEACHER = 'teacher';

export function primaryMetricOf(config: EvaluateConfig): MetricName {
  return config.primary_metric ?? config.metrics[0]!;
}
