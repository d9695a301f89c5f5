import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSplitStage } from '../../src/stages/split/split-stage.js';
import { runTrainStage, type TrainFigures } from '../../src/stages/train/train-stage.js';
import type { TrainingMetrics } from '../../src/stages/train/training-metrics.js';
import { openFixtureRun, type RunFixture } from './run-fixture.js';
import { chatLines, labelRows, sampledReverseKl, tinyTeacherAndStudent } from './tiny-teacher.js';

export interface OnPolicyRun {
  fixture: RunFixture;
  metrics: TrainingMetrics;
  figures: TrainFigures;
  /** Held-out per-token reverse KL to the teacher, of the untrained student and of the trained one. */
  before: number;
  after: number;
}

/**
 * A tiny teacher trained on a 4-label task, a smaller random student with its tokenizer, then split and train
 * with `student.loss: { type: on_policy, ...loss }` (20 training prompts, 4 validation prompts, batch 5), and the
 * student's held-out reverse KL to the teacher before and after (8 prompts neither model trained on).
 */
export async function runOnPolicy(options: {
  python: string;
  root: string;
  environment: NodeJS.ProcessEnv;
  loss: Record<string, unknown>;
  epochs: number;
  teacherSize?: { hidden: number; heads: number; epochs: number };
  onFixture: (fixture: RunFixture) => void;
}): Promise<OnPolicyRun> {
  const { python, root, environment } = options;
  const system = 'Label it.';
  const data = labelRows(24);
  const heldOutRows = labelRows(8, 40);
  const models = join(root, 'models');
  const workspace = join(root, 'task');
  mkdirSync(models);
  mkdirSync(workspace);
  const heldOut = join(root, 'held-out.jsonl');
  writeFileSync(heldOut, chatLines(heldOutRows, system));
  const { teacher, studentBase } = await tinyTeacherAndStudent(python, models, [...data, ...heldOutRows], system, environment, options.teacherSize);
  const fixture = openFixtureRun(
    workspace,
    {
      // The run's teacher is local: on_policy uses its model unless loss.teacher_model names another.
      teacher: { endpoint: 'local', model: teacher },
      split: { validation: 4, seed: 11 },
      student: {
        base: studentBase,
        trainer: 'local',
        python,
        system,
        method: 'full',
        // The last checkpoint: validation here is a divergence on 4 prompts' samples, too noisy to pick by.
        checkpoint: 'last',
        loss: { type: 'on_policy', max_new_tokens: 8, ...options.loss },
        hyperparameters: { epochs: options.epochs, batch_size: 5, max_length: 96, learning_rate: 0.003, lr_scheduler: 'constant', seed: 0 },
      },
    },
    data,
    { environment },
  );
  options.onFixture(fixture);
  await runSplitStage(fixture.run.context);
  const figures = await runTrainStage(fixture.run.context);
  const metrics = JSON.parse(readFileSync(join(fixture.dir, 'train', 'metrics.json'), 'utf8')) as TrainingMetrics;
  const before = await sampledReverseKl(python, studentBase, teacher, heldOut, environment);
  const after = await sampledReverseKl(python, join(fixture.dir, 'train', 'model'), teacher, heldOut, environment);
  return { fixture, metrics, figures, before, after };
}
