import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedTask } from '../../../config/load.js';
import { ConfigError } from '../../../errors.js';
import { logprobsPath } from '../../generate/teacher-logprobs.js';
import type { LossSettings } from '../student-settings.js';

/** `student.loss.type: topk_kd` needs the log-probs generate stores (`teacher.logprobs`) and the teacher's tokenizer. */
export function checkTopkLoss(task: LoadedTask, loss: LossSettings): void {
  const fail = (key: string, why: string): never => {
    throw new ConfigError(`${task.file}: student.loss.${key}: ${why}`, task.file, `student.loss.${key}`);
  };
  if (loss.type !== 'topk_kd') {
    if (loss.teacher_tokenizer !== undefined) fail('teacher_tokenizer', 'only used when loss.type is topk_kd');
    if (loss.top_k !== undefined && loss.type !== 'on_policy') fail('top_k', 'only used when loss.type is topk_kd (or on_policy with a served teacher)');
    return;
  }
  if (loss.teacher_tokenizer === undefined) fail('teacher_tokenizer', "required when loss.type is topk_kd (the teacher's tokenizer, to check it matches the student's)");
  const stored = task.config.teacher?.logprobs?.top_k;
  if (stored === undefined) fail('type', 'topk_kd trains on the log-probs generate stores; set teacher.logprobs: { top_k: k }');
  if (loss.top_k !== undefined && loss.top_k > stored!) fail('top_k', `${loss.top_k} is more than the ${stored} teacher.logprobs.top_k stores`);
}

/** The worker job's topk_kd fields: the stored file (absolute) and k. */
export function topkLossFields(loss: LossSettings, generateDir: string): { logprobs_file?: string; top_k?: number; teacher_tokenizer?: string } {
  if (loss.type !== 'topk_kd') return {};
  const file = resolve(logprobsPath(generateDir));
  if (!existsSync(file)) throw new ConfigError(`student.loss.type: topk_kd: ${file} does not exist; run generate with teacher.logprobs set`, file, 'student.loss.type');
  return { logprobs_file: file, ...(loss.top_k === undefined ? {} : { top_k: loss.top_k }), ...(loss.teacher_tokenizer === undefined ? {} : { teacher_tokenizer: loss.teacher_tokenizer }) };
}
