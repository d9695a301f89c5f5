import { existsSync } from 'node:fs';
import { z } from 'zod';
import { resolvePath, type LoadedTask } from '../../config/load.js';
import type { studentSchema } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';

/**
 * `student.hyperparameters`, stricter than the config schema's open record: one vocabulary for both trainers,
 * an unknown key is an error (a typo must not silently fall back to a default and cost a training run).
 * `n_epochs` is accepted as the OpenAI spelling of `epochs`.
 */
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
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;

/** `student.loss`: plain SFT, or logit distillation (local trainer only) from a teacher sharing the tokenizer. */
export const lossSchema = z.strictObject({
  type: z.enum(['sft', 'kd']).default('sft'),
  teacher_model: z.string().optional(),
  temperature: z.number().positive().optional(),
  alpha: z.number().min(0).max(1).optional(),
  direction: z.enum(['forward', 'reverse']).optional(),
});
export type LossSettings = z.infer<typeof lossSchema>;

export type StudentConfig = z.infer<typeof studentSchema>;

export interface StudentSettings {
  student: StudentConfig;
  hyperparameters: Hyperparameters;
  loss: LossSettings;
  /** The base model: a local directory resolved against the config, or the id as written. */
  baseModel: string;
}

/** The student section, checked with the stricter schemas above; errors name the key. */
export function studentSettings(task: LoadedTask): StudentSettings {
  const student = task.config.student;
  if (student === undefined) throw new ConfigError(`${task.file}: student: the train stage needs a student section`, task.file, 'student');
  const hyperparameters = parseSection(hyperparametersSchema, student.hyperparameters, task.file, 'student.hyperparameters');
  const loss = parseSection(lossSchema, student.loss ?? {}, task.file, 'student.loss');
  if (loss.type === 'kd' && student.trainer === 'hosted') {
    throw new ConfigError(`${task.file}: student.loss.type: kd needs the local trainer (hosted APIs train on text only)`, task.file, 'student.loss.type');
  }
  if (loss.type === 'kd' && loss.teacher_model === undefined) {
    throw new ConfigError(`${task.file}: student.loss.teacher_model: required when loss.type is kd`, task.file, 'student.loss.teacher_model');
  }
  // A model that is a folder beside the config is handed over as an absolute path; a hub id stays as written.
  const localModel = (model: string): string => (student.trainer === 'local' && existsSync(resolvePath(task, model)) ? resolvePath(task, model) : model);
  if (loss.teacher_model !== undefined) loss.teacher_model = localModel(loss.teacher_model);
  return { student, hyperparameters, loss, baseModel: localModel(student.base) };
}

function parseSection<T>(schema: z.ZodType<T>, value: unknown, file: string, key: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = [key, ...issue.path.map(String)].join('.');
  const detail = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((name) => `'${name}'`).join(', ')}` : issue.message;
  throw new ConfigError(`${file}: ${where}: ${detail}`, file, where);
}
