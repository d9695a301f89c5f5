import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, DataError } from '../errors.js';
import type { LoadedTask } from '../config/load.js';
import type { StageContext } from '../stages/context.js';
import type { RunPaths } from '../stages/run-paths.js';
import type { StudentEndpoint, StudentResolver } from '../stages/evaluate/student-resolver.js';

/** The fields of `train/metrics.json` that say where the trained student can be called. */
const trainedStudentSchema = z.object({
  method: z.string(),
  base_model: z.string(),
  served_model: z.string().nullable(),
  adapter_dir: z.string().nullable(),
});

/** The name the local worker serves a trained student under. */
export const LOCAL_STUDENT = 'distillery-student';

export interface StudentAliases {
  alias(name: string, model: string, adapterDir?: string): void;
}

/**
 * Where the trained student answers: a hosted fine-tune's model on the student's endpoint, or the local
 * worker serving the base with the adapter (or the full fine-tuned model) under LOCAL_STUDENT.
 */
export function trainedStudent(context: { task: LoadedTask; paths: RunPaths }, local: StudentAliases, servedName = LOCAL_STUDENT): StudentEndpoint {
  const file = context.paths.train.metrics;
  if (!existsSync(file)) throw new DataError('no trained student yet: run the train stage first', file);
  const trained = trainedStudentSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const student = context.task.config.student;
  if (student === undefined) throw new ConfigError(`${context.task.file}: student: required to use the trained student`, context.task.file, 'student');
  if (trained.served_model !== null) {
    if (student.endpoint === undefined) throw new ConfigError(`${context.task.file}: student.endpoint: required to call ${trained.served_model}`, context.task.file, 'student.endpoint');
    return { endpoint: student.endpoint, model: trained.served_model };
  }
  if (trained.adapter_dir === null) throw new DataError('training produced neither a served model nor an adapter', file);
  if (trained.method === 'full') local.alias(servedName, trained.adapter_dir);
  else local.alias(servedName, trained.base_model, trained.adapter_dir);
  return { endpoint: 'local', model: servedName };
}

/** `servedName`: the name the local student answers to (each compared variant has its own, so no cached answer crosses over). */
export function trainedStudentResolver(context: StageContext, local: StudentAliases, servedName = LOCAL_STUDENT): StudentResolver {
  return { resolveStudent: async () => trainedStudent(context, local, servedName) };
}
