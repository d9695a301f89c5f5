import { z } from 'zod';

export const TASK_KINDS = ['classification', 'extraction', 'rewriting', 'free-form'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Known providers: base URL, key variable, fine-tuning flavor. `custom` takes --base-url and --api-key-env. */
export const PROVIDERS = {
  openai: { base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY', flavor: 'openai' },
  nebius: { base_url: 'https://api.studio.nebius.com/v1', api_key_env: 'NEBIUS_API_KEY', flavor: 'nebius' },
  together: { base_url: 'https://api.together.xyz/v1', api_key_env: 'TOGETHER_API_KEY', flavor: 'together' },
  local: { base_url: 'http://127.0.0.1:8000/v1', api_key_env: undefined, flavor: 'vllm' },
} as const;
export type ProviderName = keyof typeof PROVIDERS | 'custom';

/** What `distillery init` needs to write a task: from flags, questions, or both (flags first). */
export const initAnswersSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, . _ - (it names the run folder)'),
    kind: z.enum(TASK_KINDS),
    labels: z.array(z.string().min(1)).optional(),
    inputs: z.string().min(1).describe('the inputs file, relative to the current folder'),
    field: z.string().min(1).default('input'),
    output_field: z.string().min(1).optional(),
    provider: z.enum(['openai', 'nebius', 'together', 'local', 'custom']).default('openai'),
    base_url: z.string().url().optional(),
    api_key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as MY_API_KEY').optional(),
    teacher_model: z.string().min(1).optional(),
    student_base: z.string().min(1),
    trainer: z.enum(['hosted', 'local']).default('hosted'),
    eval_data: z.string().min(1).optional(),
    eval_input: z.string().min(1).default('input'),
    eval_reference: z.string().min(1).optional(),
  })
  .superRefine((answers, context) => {
    for (const { key, message } of missingTogether(answers)) context.addIssue({ code: 'custom', path: [key], message });
  });
export type InitAnswers = z.infer<typeof initAnswersSchema>;

/**
 * Answers that are required only together with others. Kept apart from the schema so that `init` can name
 * them beside a missing flag (zod runs refinements only once every field has parsed).
 */
export function missingTogether(answers: Record<string, unknown>): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  const labels = answers.labels;
  if (answers.kind === 'classification' && (!Array.isArray(labels) || labels.length < 2)) {
    problems.push({ key: 'labels', message: 'a classification task needs at least two labels (--labels a,b,c)' });
  }
  if (answers.provider === 'custom' && answers.base_url === undefined) {
    problems.push({ key: 'base_url', message: 'provider custom needs --base-url (an OpenAI-compatible URL ending in /v1)' });
  }
  if (answers.output_field === undefined && answers.teacher_model === undefined) {
    problems.push({ key: 'teacher_model', message: 'give the teacher model (--teacher-model), or --output-field when the inputs already hold teacher answers' });
  }
  return problems;
}
