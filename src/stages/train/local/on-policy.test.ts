import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeNeeding, workerPython } from '../../../../test/helpers/needs.js';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import { openFixtureRun, type KeptRow, type RunFixture } from '../../../../test/train/run-fixture.js';
import { chatLines, sampledReverseKl, tinyTeacherAndStudent } from '../../../../test/train/tiny-teacher.js';
import { runSplitStage } from '../../split/split-stage.js';
import { runTrainStage } from '../train-stage.js';
import type { TrainingMetrics } from '../training-metrics.js';

/**
 * `student.loss.type: on_policy` end to end with the real worker (CPU, tiny models): the student samples answers,
 * the run's local teacher scores them, and the student's per-token reverse KL to the teacher on held-out prompts
 * (measured on its own samples, the worker's `divergence` command) must fall clearly. The same check fails with
 * the loss's sign flipped (worker/tests/test_on_policy.py).
 */

const temp = useTempDir();
let fixture: RunFixture | undefined;
afterEach(async () => {
  await fixture?.run.close();
  fixture = undefined;
});

const SYSTEM = 'Shout.';
const words = 'the cat sat on a mat dog ran fast slow red blue green house tree river'.split(' ');
const labels = ['alpha', 'beta', 'gamma', 'delta'];
/** A label chosen by the first word: a tiny teacher learns it and answers confidently, also on unseen inputs. */
function rows(count: number, offset = 0): KeptRow[] {
  return Array.from({ length: count }, (_, index) => {
    const picked = Array.from({ length: 4 }, (_, position) => ((index + offset) * 7 + position * 3) % words.length);
    return { id: `row-${index + offset}`, input: picked.map((word) => words[word]).join(' '), output: labels[picked[0]! % 4]! };
  });
}

describeNeeding('on-policy distillation with the real worker', workerPython(), (python) => {
  it('pulls the student to the local teacher on held-out prompts and records the teacher work', async () => {
    const environment = { PATH: process.env.PATH, HOME: process.env.HOME, CUDA_VISIBLE_DEVICES: '', OMP_NUM_THREADS: '1' };
    const data = rows(24);
    const heldOut = temp.write('held-out.jsonl', chatLines(rows(8, 40), SYSTEM));
    const models = join(temp.path(), 'models');
    mkdirSync(models);
    const { teacher, studentBase } = await tinyTeacherAndStudent(python, models, [...data, ...rows(8, 40)], SYSTEM, environment);

    const workspace = join(temp.path(), 'task');
    mkdirSync(workspace);
    fixture = openFixtureRun(
      workspace,
      {
        // The run's teacher is local: on_policy uses its model unless loss.teacher_model names another.
        teacher: { endpoint: 'local', model: teacher },
        split: { validation: 4, seed: 11 },
        student: {
          base: studentBase,
          trainer: 'local',
          python,
          system: SYSTEM,
          method: 'full',
          checkpoint: 'best_valid_loss',
          loss: { type: 'on_policy', max_new_tokens: 8 },
          hyperparameters: { epochs: 10, batch_size: 5, max_length: 96, learning_rate: 0.003, lr_scheduler: 'constant', seed: 0 },
        },
      },
      data,
      { environment },
    );
    await runSplitStage(fixture.run.context);
    const figures = await runTrainStage(fixture.run.context);

    const metrics = JSON.parse(readFileSync(join(fixture.dir, 'train', 'metrics.json'), 'utf8')) as TrainingMetrics;
    expect(metrics).toMatchObject({ trainer: 'local', status: 'succeeded', total_steps: 40 });
    expect(metrics.epochs).toHaveLength(10);
    for (const epoch of metrics.epochs) expect(epoch.valid_loss).toEqual(expect.any(Number));
    // One teacher call per step (20 prompts, batch 5) and per validation batch (4 prompts, one batch per epoch).
    expect(metrics.teacher_calls).toBe(40 + 10);
    expect(metrics.teacher_tokens).toBeGreaterThan(0);
    expect(metrics.teacher_tokens).toBeLessThanOrEqual((20 + 4) * 10 * 8);
    expect(metrics.train_seconds).toBeGreaterThan(0);
    expect(metrics.train_seconds).toBeLessThanOrEqual(metrics.seconds);
    expect(figures).toMatchObject({ teacher_calls: 40 + 10, teacher_tokens: metrics.teacher_tokens, train_seconds: metrics.train_seconds });

    const before = await sampledReverseKl(python, studentBase, teacher, heldOut, environment);
    const after = await sampledReverseKl(python, join(fixture.dir, 'train', 'model'), teacher, heldOut, environment);
    console.log(`held-out per-token reverse KL to the teacher: untrained ${before.toFixed(3)}, on-policy ${after.toFixed(3)}`);
    expect(before).toBeGreaterThan(1);
    expect(after).toBeLessThan(0.5 * before);
  }, 300_000);
});
