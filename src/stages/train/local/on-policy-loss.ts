import type { LoadedTask } from '../../../config/load.js';
import { ConfigError } from '../../../errors.js';
import type { LossSettings } from '../student-settings.js';

type OnPolicyFields = Pick<LossSettings, 'beta' | 'max_new_tokens' | 'teacher' | 'top_k'>;

/**
 * `student.loss.type: on_policy` (worker/distillery_worker/on_policy.py): the teacher defaults to the run's local
 * teacher model; a served teacher (vLLM) scores from raw logits (temperature 1) and, with beta > 0, only the
 * sampled token (top_k 1, TRL's sparse server loss; beta defaults to 0 there, a top-k forward KL). Fills in
 * `teacher_model`.
 */
export function checkOnPolicyLoss(task: LoadedTask, loss: LossSettings): void {
  const fail = (key: string, why: string): never => {
    throw new ConfigError(`${task.file}: student.loss.${key}: ${why}`, task.file, `student.loss.${key}`);
  };
  const own = (['beta', 'max_new_tokens', 'teacher'] as const).find((key) => loss[key] !== undefined);
  if (loss.type !== 'on_policy') {
    if (own !== undefined) fail(own, 'only used when loss.type is on_policy');
    return;
  }
  for (const key of ['alpha', 'direction', 'teacher_tokenizer'] as const) {
    if (loss[key] !== undefined) fail(key, `not used by on_policy (${key === 'teacher_tokenizer' ? 'the tokenizer of teacher_model is checked' : 'beta chooses the divergence'})`);
  }
  if (loss.teacher_model === undefined) {
    const teacher = task.config.teacher;
    if (teacher?.endpoint !== 'local') fail('teacher_model', "required when loss.type is on_policy and the teacher is not a local model (teacher.endpoint: local); on-policy distillation scores the student's tokens with the teacher's own weights");
    loss.teacher_model = teacher!.model;
  }
  const served = loss.teacher === 'served';
  if (!served && loss.top_k !== undefined) fail('top_k', 'used by on_policy only with teacher: served (a local teacher gives its full distribution)');
  if (served && loss.temperature !== undefined && loss.temperature !== 1) fail('temperature', 'must be 1 with teacher: served (vLLM scores prompt tokens from its raw logits)');
  if (served && (loss.beta ?? 0) > 0 && loss.top_k !== undefined && loss.top_k !== 1) fail('top_k', 'must be 1 with teacher: served and beta > 0 (the server scores the sampled token; use beta 0 for a top-k forward KL)');
  if (served && loss.teacher_4bit !== undefined) fail('teacher_4bit', 'applies to a local teacher; a served one runs in vLLM');
}

/** The worker job's on_policy fields. */
export function onPolicyLossFields(loss: LossSettings): OnPolicyFields {
  if (loss.type !== 'on_policy') return {};
  const fields: OnPolicyFields = {};
  for (const key of ['beta', 'max_new_tokens', 'teacher', 'top_k'] as const) if (loss[key] !== undefined) Object.assign(fields, { [key]: loss[key] });
  return fields;
}
