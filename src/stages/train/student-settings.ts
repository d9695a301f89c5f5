import { existsSync } from 'node:fs';
import { z } from 'zod';
import { resolvePath, type LoadedTask } from '../../config/load.js';
import { hyperparametersSchema, lossSchema, type studentSchema } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { distributedProblem } from './local/distributed-launch.js';
import { checkOnPolicyLoss } from './local/on-policy-loss.js';
import { checkTopkLoss } from './local/topk-loss.js';

/** `student.hyperparameters` (schema in config/schema.ts): one vocabulary for both trainers. */
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;
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
  if (loss.type !== 'sft' && student.trainer === 'hosted') {
    throw new ConfigError(`${task.file}: student.loss.type: ${loss.type} needs the local trainer (hosted APIs train on text only)`, task.file, 'student.loss.type');
  }
  checkTopkLoss(task, loss);
  checkOnPolicyLoss(task, loss);
  if (loss.type === 'kd' && loss.teacher_model === undefined) {
    throw new ConfigError(`${task.file}: student.loss.teacher_model: required when loss.type is kd`, task.file, 'student.loss.teacher_model');
  }
  if (student.distributed !== undefined) {
    if (student.trainer === 'hosted') throw new ConfigError(`${task.file}: student.distributed: only the local trainer runs processes of its own`, task.file, 'student.distributed');
    const problem = distributedProblem(student.distributed);
    if (problem !== undefined) throw new ConfigError(`${task.file}: student.distributed: ${problem}`, task.file, 'student.distributed');
  }
  // A model that is a folder beside the config is handed over as an absolute path; a hub id stays as written.
  const localModel = (model: string): string => (student.trainer === 'local' && existsSync(resolvePath(task, model)) ? resolvePath(task, model) : model);
  if (loss.teacher_model !== undefined) loss.teacher_model = localModel(loss.teacher_model);
  if (loss.teacher_tokenizer !== undefined) loss.teacher_tokenizer = localModel(loss.teacher_tokenizer);
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
