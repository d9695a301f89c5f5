import { z } from 'zod';
import { evaluateConfigSchema } from './evaluate-config.js';
import { serveSchema as gatewaySchema } from './serve-config.js';

/**
 * The task spec. Every section is strict: an unknown key is an error that names it, because a typo in a
 * hyperparameter silently falling back to a default costs a training run.
 */

const bounds = z
  .strictObject({ min: z.number().int().nonnegative().optional(), max: z.number().int().positive().optional() })
  .describe('Inclusive bounds; a grammar set keeping 3 < words < 40 is { min: 4, max: 39 }.');

export const endpointSchema = z
  .strictObject({
    base_url: z.string().url().describe('OpenAI-compatible base URL, ending in /v1.'),
    api_key_env: z.string().optional().describe('Name of the environment variable holding the API key.'),
    headers: z.record(z.string(), z.string()).optional(),
    flavor: z
      .enum(['openai', 'nebius', 'together', 'vllm', 'local'])
      .default('openai')
      .describe('Provider differences in batch and fine-tuning protocols.'),
    rpm: z.number().positive().optional().describe('Client-side requests per minute.'),
    tpm: z.number().positive().optional().describe('Client-side tokens per minute.'),
    timeout_s: z.number().positive().default(600).describe('Per-request timeout.'),
    max_attempts: z.number().int().min(1).default(6),
  })
  .describe('An OpenAI-compatible endpoint.');
export type EndpointConfig = z.infer<typeof endpointSchema>;

export const priceSchema = z.strictObject({
  input: z.number().nonnegative().describe('USD per 1M input tokens.'),
  output: z.number().nonnegative().describe('USD per 1M output tokens.'),
  batch_discount: z.number().min(0).max(1).default(0.5).describe('Fraction of the price paid in batch mode.'),
  training: z.number().nonnegative().optional().describe('USD per 1M trained tokens.'),
});
export type PriceConfig = z.infer<typeof priceSchema>;

/** A prompt is literal text, or a file relative to the config (`{ file }`, or a string that names a file). */
export const promptSchema = z.union([z.string(), z.strictObject({ file: z.string() }), z.strictObject({ text: z.string() })]);

export const synthesizeSchema = z.record(z.string(), z.unknown()).describe('Input synthesis (templates, self_instruct, evol_instruct).');

export const inputsSchema = z.strictObject({
  path: z.string().optional().describe('JSONL, CSV or Parquet file of task inputs.'),
  format: z.enum(['jsonl', 'csv', 'parquet']).optional().describe('Inferred from the extension when absent.'),
  field: z.string().default('input').describe('Column holding the task input.'),
  id_field: z.string().default('id').describe('Column holding a row id; the line number otherwise.'),
  keep_fields: z.array(z.string()).default([]).describe('Extra columns carried along (e.g. category, template).'),
  words: bounds.optional(),
  chars: bounds.optional(),
  limit: z.number().int().positive().optional(),
  on_error: z.enum(['stop', 'skip']).default('stop'),
  synthesize: synthesizeSchema.optional(),
});

export const modelCallSchema = z.strictObject({
  endpoint: z.string(),
  model: z.string(),
  system: promptSchema.optional(),
  user_template: z.string().default('{input}').describe('How an input becomes the user message.'),
  few_shot: z.array(z.strictObject({ input: z.string(), output: z.string() })).default([]),
  assistant_prefix: z.string().optional().describe('Continued by the model (e.g. an empty <think></think> block).'),
  no_think: z.boolean().default(false).describe('Append /no_think to the user message (Qwen3).'),
  max_tokens: z.number().int().positive().default(1024),
  temperature: z.number().min(0).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  extra_body: z.record(z.string(), z.unknown()).optional().describe('Passed through to the request body.'),
  concurrency: z.number().int().positive().default(32),
  stream: z.boolean().default(false).describe('Stream answers (records time to first token).'),
});
export type ModelCallConfig = z.infer<typeof modelCallSchema>;

export const teacherSchema = modelCallSchema.extend({
  mode: z.enum(['sync', 'batch']).default('sync'),
  max_cost: z.number().positive().optional().describe('USD; no new request is submitted once spent.'),
  on_truncated: z.enum(['keep', 'drop', 'retry']).default('keep'),
  retry_max_tokens: z.number().int().positive().optional().describe('max_tokens for on_truncated: retry (default 2×).'),
  poll_interval: z.number().positive().default(30).describe('Seconds between batch status polls.'),
  completion_window: z.string().default('24h'),
  batch_max_rounds: z.number().int().min(1).default(3).describe('Follow-up batches for failed rows.'),
  batch_sync_stragglers: z.number().int().nonnegative().default(50).describe('Retry this few failed rows in sync mode.'),
});
export type TeacherConfig = z.infer<typeof teacherSchema>;

export const splitSchema = z.strictObject({
  validation: z
    .number()
    .positive()
    .refine((value) => value < 1 || Number.isInteger(value), 'a count (≥ 1) must be a whole number')
    .default(0.05)
    .describe('A count (≥ 1) or a fraction (< 1).'),
  seed: z.number().int().default(42),
  formats: z.array(z.enum(['messages', 'alpaca', 'prompt_completion'])).default(['messages']),
});

export const hyperparametersSchema = z
  .strictObject({
    epochs: z.number().positive().optional(),
    n_epochs: z.number().positive().optional(),
    batch_size: z.number().int().positive().optional(),
    learning_rate: z.number().positive().optional(),
    learning_rate_multiplier: z.number().positive().optional(),
    lora: z.boolean().optional(),
    lora_r: z.number().int().positive().optional(),
    lora_alpha: z.number().positive().optional(),
    lora_dropout: z.number().min(0).lt(1).optional(),
    target_modules: z.union([z.literal('all-linear'), z.array(z.string().min(1)).min(1)]).optional(),
    packing: z.boolean().optional(),
    warmup_ratio: z.number().min(0).lt(1).optional(),
    weight_decay: z.number().nonnegative().optional(),
    max_grad_norm: z.number().nonnegative().optional(),
    gradient_accumulation_steps: z.number().int().positive().optional(),
    lr_scheduler: z.enum(['cosine', 'linear', 'constant']).optional(),
    max_length: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    eval_steps: z.number().int().positive().optional(),
    early_stopping_patience: z.number().int().positive().optional(),
    n_checkpoints: z.number().int().positive().optional(),
    n_evals: z.number().int().nonnegative().optional(),
  })
  .refine((value) => value.epochs === undefined || value.n_epochs === undefined, { message: 'give epochs or n_epochs, not both' });

/** `student.loss`: plain SFT, or logit distillation (local trainer only) from a teacher sharing the tokenizer. */
export const lossSchema = z.strictObject({
  type: z.enum(['sft', 'kd']).default('sft'),
  teacher_model: z.string().optional(),
  temperature: z.number().positive().optional(),
  alpha: z.number().min(0).max(1).optional(),
  direction: z.enum(['forward', 'reverse']).optional(),
});

export const studentSchema = z.strictObject({
  base: z.string().describe('Hugging Face id or local path (local), or the provider model id (hosted).'),
  trainer: z.enum(['hosted', 'local']).default('local'),
  endpoint: z.string().optional().describe('Hosted trainer: the fine-tuning endpoint.'),
  system: promptSchema.optional(),
  user_template: z.string().default('{input}'),
  assistant_prefix: z.string().default(''),
  method: z.enum(['lora', 'qlora', 'full']).default('lora'),
  hyperparameters: hyperparametersSchema.default({}),
  checkpoint: z.enum(['last', 'best_valid_loss']).default('last'),
  suffix: z.string().optional(),
  loss: lossSchema.optional(),
  merge: z.boolean().default(false),
  trust_remote_code: z.boolean().default(false),
  python: z.string().optional().describe('Python interpreter of an existing worker environment.'),
  poll_interval: z.number().positive().default(30),
});


export const prepareStepSchema = z.strictObject({
  worker: z.array(z.string()).min(1).describe('A worker command and its arguments (python -m distillery_worker …), run in the config folder.'),
  creates: z.string().describe('A path, relative to the config, that the step creates; the step is skipped when it exists.'),
  description: z.string().optional(),
});

export const taskSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  prepare: z.array(prepareStepSchema).default([]).describe('Local preparation (tiny models, a locally trained teacher) before the inputs stage.'),
  engine: z
    .enum(['auto', 'vllm', 'transformers'])
    .default('auto')
    .describe('What serves local models: vLLM (batched, LoRA as adapters; installed in its own environment on first use), the worker\'s transformers server (one request at a time), or auto: vLLM where its environment exists or a GPU is present, transformers otherwise.'),
  endpoints: z.record(z.string(), endpointSchema).default({}),
  prices: z.record(z.string(), priceSchema).default({}).describe('Per model id.'),
  inputs: inputsSchema,
  teacher: teacherSchema,
  curate: z.unknown().default([]).describe('Curation filters: a list (or { order, filters }); validated by the curate stage, which names the entry at fault.'),
  embeddings: z.strictObject({ endpoint: z.string(), model: z.string() }).optional().describe('Embeddings endpoint for dedup: { embedding: … }.'),
  split: splitSchema.default({ validation: 0.05, seed: 42, formats: ['messages'] }),
  student: studentSchema.optional(),
  evaluate: evaluateConfigSchema.optional(),
  serve: gatewaySchema.optional(),
});

export type TaskConfigInput = z.input<typeof taskSchema>;
export type TaskConfigParsed = z.infer<typeof taskSchema>;
