import { z } from 'zod';

/**
 * The `serve:` section of the task config: the source of truth for the gateway's settings. Every field says
 * what it does (`.describe`) so the exported JSON Schema documents it for editors.
 */

export const serveTargetSchema = z
  .strictObject({
    endpoint: z.string().min(1).describe('Name of an entry under endpoints: (or the built-in `local`).'),
    model: z.string().min(1).describe('Model id sent to that endpoint.'),
  })
  .describe('An OpenAI-compatible endpoint and the model to ask there.');
export type ServeTargetConfig = z.infer<typeof serveTargetSchema>;

export const verifyRuleSchema = z
  .union([
    z.strictObject({ regex: z.string().min(1).describe('The output must contain a match of this JavaScript regular expression (anchor it with ^…$ to match the whole output).') }),
    z.strictObject({ labels: z.array(z.string()).min(1).describe('The trimmed output must be exactly one of these labels.') }),
    z.strictObject({ json: z.literal(true).describe('The output must parse as JSON.') }),
  ])
  .describe("The task's verifier: a student output that fails it is replaced by the fallback's answer.");
export type VerifyRule = z.infer<typeof verifyRuleSchema>;

export const serveRulesSchema = z
  .strictObject({
    max_input_tokens: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests whose student prompt is estimated (estimatePromptTokens) longer than this go straight to the fallback.'),
    verify: verifyRuleSchema.optional(),
  })
  .describe('When to fall back besides student errors and timeouts.');
export type ServeRules = z.infer<typeof serveRulesSchema>;

export const serveSchema = z
  .strictObject({
    student: serveTargetSchema
      .optional()
      .describe("Default: the run's trained student (train/metrics.json served_model on the student endpoint, or the local adapter)."),
    fallback: serveTargetSchema.optional().describe("Default: the task's teacher (endpoint and model)."),
    model_name: z.string().min(1).optional().describe('Model id the gateway answers as (GET /v1/models, `model` of answers); default: the task name.'),
    messages: z
      .enum(['task', 'as_sent'])
      .default('task')
      .describe("task: the last user message is the input, and each model gets the prompt it was configured with (system, user_template, assistant_prefix); as_sent: the client's messages are forwarded unchanged."),
    student_timeout_ms: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('Falls back when the student has not answered by then (streamed pass-through: has not sent its first content token).'),
    fallback_timeout_ms: z.number().int().positive().default(120_000).describe('Limit on the fallback call; past it the request fails with 504.'),
    rules: serveRulesSchema.default({}),
    limits: z
      .strictObject({
        concurrency: z.number().int().positive().default(16).describe('Chat requests of one bearer token in flight at once (a stream counts until it ends); more get 429.'),
        rpm: z.number().int().positive().default(600).describe('Chat requests of one bearer token in any 60 s window; more get 429 with Retry-After.'),
      })
      .default({ concurrency: 16, rpm: 600 })
      .describe('Per-token caps, so a token holder cannot run up unbounded fallback spend.'),
    public_metrics: z.boolean().default(false).describe('Serve /metrics and /health without the bearer token.'),
    max_body_bytes: z.number().int().positive().default(1_048_576).describe('Larger request bodies are refused with 413.'),
    port: z.number().int().min(0).max(65_535).default(8808).describe('Listening port (--port overrides; 0: any free port).'),
    host: z.string().default('127.0.0.1').describe('Listening address (--host overrides).'),
    shutdown_grace_ms: z.number().int().nonnegative().default(30_000).describe('On SIGINT/SIGTERM, how long requests in flight may take to finish.'),
  })
  .describe('The OpenAI-compatible gateway: student first, fallback to the teacher.');
export type ServeConfig = z.infer<typeof serveSchema>;
export type ServeConfigInput = z.input<typeof serveSchema>;

export const fallbackReasons = ['error', 'timeout', 'input_too_long', 'verifier_failed'] as const;
export type FallbackReason = (typeof fallbackReasons)[number];
