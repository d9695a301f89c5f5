import { isAbsolute, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTask, type LoadedTask } from '../../../config/load.js';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import { taskSchema } from '../../../config/schema.js';
import type { StageContext } from '../../context.js';
import { runPaths } from '../../run-paths.js';
import { studentSettings } from '../student-settings.js';
import { workerJob } from './worker-job.js';

const temp = useTempDir();

function context(student: Record<string, unknown>, runDir = 'runs/relative'): Parameters<typeof workerJob>[0] {
  const config = taskSchema.parse({ name: 'x', inputs: { path: 'in.jsonl' }, teacher: { endpoint: 'local', model: 't' }, split: { validation: 2, seed: 9 }, student });
  const task: LoadedTask = { file: '/tasks/task.yaml', dir: '/tasks', config, raw: {} };
  const paths = runPaths(runDir);
  const stage = { task, paths } as unknown as StageContext;
  return { stage, settings: studentSettings(task), trainFile: paths.split.train, validationFile: paths.split.validation };
}

describe('workerJob', () => {
  it('gives the worker absolute paths even for a relative run directory', () => {
    const job = workerJob(context({ base: 'org/model' }));
    for (const path of [job.train_file, job.validation_file, job.output_dir]) expect(isAbsolute(path)).toBe(true);
    expect(job.output_dir).toBe(resolve('runs/relative/train'));
    expect(job).toMatchObject({ base_model: 'org/model', method: 'lora', checkpoint: 'last', hyperparameters: { seed: 9 }, lora: {}, loss: { type: 'sft' }, assistant_prefix: '' });
  });

  it('hands the assistant prefix to the worker, which checks it against the chat template', () => {
    expect(workerJob(context({ base: 'org/model', assistant_prefix: '<think>\n\n</think>\n\n' })).assistant_prefix).toBe('<think>\n\n</think>\n\n');
  });

  it('maps the shared hyperparameter names onto the worker sections and leaves hosted-only keys out', () => {
    const job = workerJob(context({
      base: 'org/model',
      method: 'qlora',
      merge: true,
      hyperparameters: { n_epochs: 4, lora_r: 32, lora_alpha: 64, lora_dropout: 0.1, target_modules: ['q_proj'], max_length: 2048, lr_scheduler: 'linear', learning_rate_multiplier: 2, seed: 1 },
      loss: { type: 'kd', teacher_model: 'org/teacher', temperature: 3 },
    }));
    expect(job.lora).toEqual({ r: 32, alpha: 64, dropout: 0.1, target_modules: ['q_proj'] });
    expect(job.hyperparameters).toEqual({ epochs: 4, max_length: 2048, lr_scheduler: 'linear', seed: 1 });
    expect(job).toMatchObject({ method: 'qlora', merge: true, loss: { type: 'kd', teacher_model: 'org/teacher', temperature: 3 } });
  });

  it('rejects unknown hyperparameters and kd without a teacher, naming the key', () => {
    const file = temp.write('task.yaml', 'name: x\ninputs: { path: in.jsonl }\nteacher: { endpoint: local, model: t }\nstudent:\n  base: m\n  hyperparameters: { epoch: 3 }\n');
    expect(() => loadTask(file)).toThrow(/task\.yaml:6: student\.hyperparameters: unknown key 'epoch'/);
    expect(() => context({ base: 'm', loss: { type: 'kd' } })).toThrow(/student\.loss\.teacher_model: required/);
    expect(() => context({ base: 'm', hyperparameters: { epochs: 2, n_epochs: 2 } })).toThrow(/epochs or n_epochs/);
  });
});
