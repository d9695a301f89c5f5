import { describe, expect, it } from 'vitest';
import type { LoadedTask } from '../../../config/load.js';
import { taskSchema } from '../../../config/schema.js';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import type { StageContext } from '../../context.js';
import { runPaths } from '../../run-paths.js';
import { studentSettings } from '../student-settings.js';
import { workerJob } from './worker-job.js';

const temp = useTempDir();

function task(teacher: Record<string, unknown>, student: Record<string, unknown>): LoadedTask {
  const config = taskSchema.parse({ name: 'x', inputs: { path: 'in.jsonl' }, teacher: { model: 'org/teacher', ...teacher }, student: { base: 'org/model', ...student } });
  return { file: '/tasks/task.yaml', dir: '/tasks', config, raw: {} };
}

function jobLoss(loaded: LoadedTask) {
  const paths = runPaths(temp.path());
  const stage = { task: loaded, paths } as unknown as StageContext;
  return workerJob({ stage, settings: studentSettings(loaded), trainFile: paths.split.train, validationFile: paths.split.validation }).loss;
}

describe('student.loss.type: on_policy', () => {
  it("scores with the run's local teacher unless teacher_model names another", () => {
    expect(jobLoss(task({ endpoint: 'local' }, { loss: { type: 'on_policy', beta: 0.5, max_new_tokens: 16 } }))).toEqual({ type: 'on_policy', teacher_model: 'org/teacher', beta: 0.5, max_new_tokens: 16 });
    expect(jobLoss(task({ endpoint: 'nebius' }, { loss: { type: 'on_policy', teacher_model: 'org/big', teacher: 'served', top_k: 1 } }))).toEqual({ type: 'on_policy', teacher_model: 'org/big', teacher: 'served', top_k: 1 });
  });

  it('says what cannot work before any training starts', () => {
    const fails = (teacher: Record<string, unknown>, loss: Record<string, unknown>, message: RegExp, student: Record<string, unknown> = {}) =>
      expect(() => studentSettings(task(teacher, { ...student, loss }))).toThrow(message);
    fails({ endpoint: 'nebius' }, { type: 'on_policy' }, /student\.loss\.teacher_model: required when loss\.type is on_policy and the teacher is not a local model/);
    fails({ endpoint: 'local' }, { type: 'on_policy' }, /on_policy needs the local trainer/, { trainer: 'hosted' });
    fails({ endpoint: 'local' }, { type: 'on_policy', teacher: 'served', temperature: 2 }, /temperature: must be 1 with teacher: served/);
    fails({ endpoint: 'local' }, { type: 'on_policy', teacher: 'served', beta: 1, top_k: 5 }, /top_k: must be 1 with teacher: served and beta > 0/);
    fails({ endpoint: 'local' }, { type: 'on_policy', top_k: 5 }, /top_k: used by on_policy only with teacher: served/);
    fails({ endpoint: 'local' }, { type: 'on_policy', alpha: 0.5 }, /alpha: not used by on_policy/);
    fails({ endpoint: 'local' }, { type: 'kd', teacher_model: 't', beta: 1 }, /beta: only used when loss\.type is on_policy/);
    fails({ endpoint: 'local' }, { type: 'sft', teacher: 'served' }, /teacher: only used when loss\.type is on_policy/);
    expect(() => task({ endpoint: 'local' }, { loss: { type: 'on_policy', beta: 1.5 } })).toThrow();
    expect(() => task({ endpoint: 'local' }, { loss: { type: 'on_policy', teacher: 'remote' } })).toThrow();
  });

  it('takes top_k with beta 0 and a served teacher (a top-k forward KL)', () => {
    expect(jobLoss(task({ endpoint: 'local' }, { loss: { type: 'on_policy', teacher: 'served', beta: 0, top_k: 20 } }))).toMatchObject({ teacher: 'served', beta: 0, top_k: 20 });
  });
});
