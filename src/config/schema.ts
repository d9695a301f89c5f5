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
    base_url: z
      .string()
      .url()
      .describe('OpenAI-compatible base URL, ending in /v1; a query (Azure `?api-version=…`) is kept on every path.'),
    api_key_env: z.string().optional().describe('Name of the environment variable holding the API key (sent as `Authorization: Bearer`).'),
    headers: z.record(z.string(), z.string()).optional(),
    headers_env: z
      .record(z.string(), z.string())
      .optional()
      .describe('Header name → environment variable holding its value, e.g. { api-key: AZURE_OPENAI_API_KEY } for Azure.'),
    flavor: z
      .enum(['openai', 'nebius', 'together', 'vllm', 'local'])
      .default('openai')
      .describe(
        'Provider differences: batch, file and fine-tuning protocols; reasoning-model parameters (openai); chat-template fields (continue_final_message, add_generation_prompt) are sent only to nebius, vllm and local.',
      ),
    rpm: z.number().positive().optional().describe('Client-side requests per minute.'),
    tpm: z.number().positive().optional().describe('Client-side tokens per minute.'),
    timeout_s: z.number().positive().default(600).describe('Per-request timeout.'),
    max_attempts: z.number().int().min(1).default(6).describe('Attempts of every call (chat, files, batches, fine-tuning, embeddings) on 408/409/429/5xx and dropped connections.'),
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
  path: z.string().optional().describe('JSONL, CSV or Parquet file of task inputs; JSONL and CSV may be .gz or .zst compressed.'),
  format: z
    .enum(['jsonl', 'csv', 'parquet', 'chat'])
    .optional()
    .describe('Inferred from the extension when absent. chat: JSONL rows of {"messages": [...]} whose last assistant message is the teacher answer.'),
  field: z.string().default('input').describe('Column holding the task input.'),
  id_field: z.string().default('id').describe('Column holding a row id; the line number otherwise.'),
  keep_fields: z.array(z.string()).default([]).describe('Extra columns carried along (e.g. category, template).'),
  words: bounds.optional(),
  chars: bounds.optional(),
  limit: z.number().int().positive().optional().describe('Keep the first N rows that pass the filters.'),
  sample: z
    .strictObject({ n: z.number().int().positive(), seed: z.number().int().default(42) })
    .optional()
    .describe('A uniform random sample of n rows (reservoir sampling, one pass), drawn after the filters, dedup and limit.'),
  dedup: z.boolean().default(false).describe('Drop rows whose input text appeared before (exact; bounded memory).'),
  on_error: z.enum(['stop', 'skip']).default('stop'),
  output_field: z.string().optional().describe('Column holding a teacher answer made elsewhere: generate records it and calls no model.'),
  reasoning_field: z.string().optional().describe('Column holding the imported answer\'s reasoning (with output_field).'),
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
  max_cost: z.number().positive().optional().describe('USD; each request first reserves its worst case (prompt + max_tokens); none is sent past it. Needs a price under prices:.'),
  on_truncated: z.enum(['keep', 'drop', 'retry']).default('keep'),
  retry_max_tokens: z.number().int().positive().optional().describe('max_tokens for on_truncated: retry (default 2×).'),
  poll_interval: z.number().positive().default(30).describe('Seconds between batch status polls.'),
  completion_window: z.string().default('24h'),
  batch_max_rounds: z.number().int().min(1).default(3).describe('Follow-up batches for failed rows.'),
  batch_sync_stragglers: z.number().int().nonnegative().default(50).describe('Retry this few failed rows in sync mode.'),
  logprobs: z
    .strictObject({
      top_k: z.number().int().min(1).max(20).describe('Log-probs per answer token (vLLM and hosted APIs allow up to 20).'),
      source: z
        .enum(['generate', 'score'])
        .default('generate')
        .describe("generate: asked with each answer (logprobs, top_logprobs); score: each finished answer scored afterwards with vLLM's prompt_logprobs (imported answers are always scored)."),
    })
    .optional()
    .describe('Keep the top-k log-probabilities of every answer token in generate/logprobs.jsonl (for student.loss.type: topk_kd).'),
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
  include_reasoning: z
    .boolean()
    .default(false)
    .describe(
      "Train on the teacher's reasoning too: the assistant target becomes trace + answer, rendered the way the student's chat template expects (its reasoning_content or thinking field, else <think>…</think> before the answer). Rows without a trace stay answer-only (drop them with the curate step reasoning). Conflicts with student.assistant_prefix.",
    ),
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
    save_total_limit: z.number().int().positive().optional().describe('Local trainer: keep at most this many checkpoints (the best one is kept when checkpoint is best_valid_loss).'),
    n_checkpoints: z.number().int().positive().optional(),
    n_evals: z.number().int().nonnegative().optional(),
  })
  .refine((value) => value.epochs === undefined || value.n_epochs === undefined, { message: 'give epochs or n_epochs, not both' });

/** `student.loss`: plain SFT, or logit distillation (local trainer only) from a teacher sharing the tokenizer. */
export const lossSchema = z.strictObject({
  type: z
    .enum(['sft', 'kd', 'topk_kd', 'on_policy'])
    .default('sft')
    .describe("kd: a teacher model loaded beside the student; topk_kd: the teacher log-probs stored by generate (teacher.logprobs); on_policy: the student samples answers to the training prompts and the teacher scores the student's own tokens (GKD)."),
  teacher_model: z.string().optional().describe("kd, on_policy: the teacher (Hugging Face id or path), sharing the student's tokenizer; on_policy default: teacher.model when teacher.endpoint is local."),
  temperature: z.number().positive().optional().describe('kd, topk_kd: softmax temperature (default 2); on_policy: sampling and loss temperature (default 1; must be 1 with a served teacher).'),
  alpha: z.number().min(0).max(1).optional(),
  direction: z.enum(['forward', 'reverse']).optional(),
  teacher_4bit: z.boolean().optional().describe('Load the KD teacher in 4-bit nf4 (bitsandbytes) instead of bf16.'),
  top_k: z.number().int().min(1).max(20).optional().describe("topk_kd: use at most this many stored log-probs per token (default 20). on_policy with a served teacher: the teacher's top-k log-probs per token (default 20 with beta 0; must be 1 when beta > 0)."),
  beta: z.number().min(0).max(1).optional().describe("on_policy: generalized JSD between student and teacher, 0 forward KL … 1 reverse KL. Default 1 (per-token reverse KL, as in GKD) with a local teacher; 0 with a served one (a top-k forward KL: its beta > 0 path sees only the sampled token's log-prob)."),
  max_new_tokens: z.number().int().positive().optional().describe('on_policy: the longest answer the student samples per prompt (default 64).'),
  teacher: z.enum(['local', 'served']).optional().describe('on_policy: the teacher loaded beside the student (local, default: full-vocabulary divergence, both models in memory) or served by vLLM on 127.0.0.1 (served: only its per-token log-probs, for a teacher too large to load beside the student).'),
  teacher_tokenizer: z.string().optional().describe("topk_kd: the teacher's tokenizer (Hugging Face id or path), checked against the student's by vocabulary content."),
});

/** `student.distributed`: the local trainer under `accelerate launch` (one process per GPU, or several machines). */
export const distributedSchema = z.strictObject({
  processes: z.number().int().positive().describe('Processes on this machine (usually one per GPU).'),
  strategy: z.enum(['ddp', 'fsdp', 'deepspeed']).default('ddp').describe('ddp: a full replica per process; fsdp: FSDP2 full sharding; deepspeed: ZeRO-3.'),
  machines: z.number().int().positive().default(1).describe('Machines in the job; run `distillery train` on each with its own machine_rank.'),
  machine_rank: z.number().int().nonnegative().default(0),
  main_address: z.string().optional().describe('Address of machine 0 (needed when machines > 1).'),
  main_port: z.number().int().positive().default(29500),
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
  deploy_base: z
    .string()
    .optional()
    .describe('Nebius LoRA: the inference id of the base the adapter is served on (it can differ from the fine-tuning id in `base`); default: `base`. Checked against the endpoint\'s model list before training.'),
  loss: lossSchema.optional(),
  merge: z.boolean().default(false),
  trust_remote_code: z.boolean().default(false),
  python: z.string().optional().describe('Python interpreter of an existing worker environment.'),
  attn_implementation: z
    .string()
    .regex(/^(auto|sdpa|eager|flash_attention_2|flash_attention_3|[\w.-]+\/[\w.-]+)$/, 'auto, sdpa, eager, flash_attention_2, flash_attention_3 or a kernels-hub id (org/name)')
    .default('auto')
    .describe('Local trainer: attention kernel. auto: flash_attention_2 when CUDA and flash-attn are installed, else sdpa. Packing uses the varlen path only with a flash kernel; otherwise batches are padded.'),
  liger_kernel: z.boolean().default(false).describe('Local trainer: Liger Triton kernels (CUDA; needs liger-kernel in the worker environment).'),
  distributed: distributedSchema.optional(),
  poll_interval: z.number().positive().default(30),
});


/**
 * `compare.variants`: ways to train the student on the same data, each a named override of `student` (loss,
 * hyperparameters, method, checkpoint rule) and of how the split renders answers. `distillery compare` trains and
 * evaluates every variant from one run directory; inputs, generation and curation (and the data budget: the
 * split's size and seed) are shared, so these keys cannot change them.
 */
export const variantSchema = z.strictObject({
  description: z.string().optional().describe('What the variant is, for the comparison table.'),
  // No defaults here: a key the variant does not write keeps the run's value (a default would silently replace it).
  student: z
    .strictObject({
      loss: lossSchema.optional(),
      hyperparameters: hyperparametersSchema.optional(),
      method: studentSchema.shape.method.unwrap().optional(),
      checkpoint: studentSchema.shape.checkpoint.unwrap().optional(),
    })
    .optional()
    .describe('Replaces these keys of student: (hyperparameters are merged key by key; loss is replaced as a whole).'),
  split: z
    .strictObject({ formats: splitSchema.shape.formats.unwrap().optional(), include_reasoning: splitSchema.shape.include_reasoning.unwrap().optional() })
    .optional()
    .describe('Replaces these keys of split: (the data budget, validation and seed, stays shared).'),
});

export const compareSchema = z
  .strictObject({
    variants: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a variant name is lower-case letters, digits, - and _'), variantSchema)
      .refine((variants) => Object.keys(variants).length > 0, 'name at least one variant')
      .describe('Name → overrides; each variant is trained and evaluated in variants/<name>/ of the run directory.'),
    against: z.string().optional().describe('The variant every other one is compared with item by item (default: the first).'),
  })
  .refine((compare) => compare.against === undefined || compare.against in compare.variants, { message: 'against must name one of the variants', path: ['against'] });

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
  teacher: teacherSchema.optional().describe('The model that answers the inputs; optional when inputs bring their answers (inputs.output_field or format: chat).'),
  curate: z.unknown().default([]).describe('Curation filters: a list (or { order, filters }); validated by the curate stage, which names the entry at fault.'),
  embeddings: z.strictObject({ endpoint: z.string(), model: z.string() }).optional().describe('Embeddings endpoint for dedup: { embedding: … }.'),
  split: splitSchema.default({ validation: 0.05, seed: 42, formats: ['messages'], include_reasoning: false }),
  student: studentSchema.optional(),
  evaluate: evaluateConfigSchema.optional(),
  serve: gatewaySchema.optional(),
  compare: compareSchema.optional().describe('Training variants for `distillery compare` (methods side by side on the same data).'),
});

export type TaskConfigInput = z.input<typeof taskSchema>;
export type TaskConfigParsed = z.infer<typeof taskSchema>;
