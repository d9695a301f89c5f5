import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureVllmPython } from '../../src/engines/vllm-environment.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { runSplitStage } from '../../src/stages/split/split-stage.js';
import { runTrainStage } from '../../src/stages/train/train-stage.js';
import type { TrainingMetrics } from '../../src/stages/train/training-metrics.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { openFixtureRun, type KeptRow, type RunFixture } from './run-fixture.js';
import { chatLines, sampledReverseKl, tinyTeacherAndStudent } from './tiny-teacher.js';

/**
 * `student.loss: { type: on_policy, teacher: served }` end to end: the train stage starts the teacher on vLLM's CPU
 * build (127.0.0.1, a fresh key), the worker scores the student's samples through `/v1/completions`
 * `prompt_logprobs`, and the stage stops the server. Both environments are installed by the project (.ci/run
 * creates them first), so a missing one is installed here, never skipped.
 */
const temp = useTempDir();
let fixture: RunFixture | undefined;
afterEach(async () => {
  await fixture?.run.close();
  fixture = undefined;
});

const SYSTEM = 'Label it.';
const words = 'the cat sat on a mat dog ran fast slow red blue green house tree river'.split(' ');
const labels = ['alpha', 'beta', 'gamma', 'delta'];
function rows(count: number, offset = 0): KeptRow[] {
  return Array.from({ length: count }, (_, index) => {
    const picked = Array.from({ length: 4 }, (_, position) => ((index + offset) * 7 + position * 3) % words.length);
    return { id: `row-${index + offset}`, input: picked.map((word) => words[word]).join(' '), output: labels[picked[0]! % 4]! };
  });
}

describe('on-policy distillation from a teacher served by vLLM', () => {
  it('pulls the student to the served teacher and stops the server', async () => {
    const [python, vllmPython] = await Promise.all([ensureWorkerPython(), ensureVllmPython()]);
    const environment = { PATH: process.env.PATH, HOME: process.env.HOME, CUDA_VISIBLE_DEVICES: '', OMP_NUM_THREADS: '1', DISTILLERY_VLLM_PYTHON: vllmPython };
    const data = rows(24);
    const heldOut = temp.write('held-out.jsonl', chatLines(rows(8, 40), SYSTEM));
    const models = join(temp.path(), 'models');
    mkdirSync(models);
    // Head size 64 (256 / 4): vLLM's CPU attention serves head sizes 32-512 only.
    const { teacher, studentBase } = await tinyTeacherAndStudent(python, models, [...data, ...rows(8, 40)], SYSTEM, environment, { hidden: 256, heads: 4, epochs: 8 });

    const workspace = join(temp.path(), 'task');
    mkdirSync(workspace);
    fixture = openFixtureRun(
      workspace,
      {
        teacher: { endpoint: 'local', model: teacher },
        split: { validation: 4, seed: 11 },
        student: {
          base: studentBase,
          trainer: 'local',
          python,
          system: SYSTEM,
          method: 'full',
          loss: { type: 'on_policy', teacher: 'served', max_new_tokens: 8 },
          hyperparameters: { epochs: 6, batch_size: 5, max_length: 96, learning_rate: 0.003, lr_scheduler: 'constant', seed: 0 },
        },
      },
      data,
      { environment },
    );
    await runSplitStage(fixture.run.context);
    const figures = await runTrainStage(fixture.run.context);

    const metrics = JSON.parse(readFileSync(join(fixture.dir, 'train', 'metrics.json'), 'utf8')) as TrainingMetrics;
    // One request per step (20 prompts, batch 5) and per validation batch (one per epoch).
    expect(metrics.teacher_calls).toBe(24 + 6);
    expect(metrics.teacher_tokens).toBeGreaterThan(0);
    expect(figures).toMatchObject({ teacher_calls: 24 + 6, teacher_tokens: metrics.teacher_tokens });
    const log = join(fixture.dir, 'train', 'teacher-vllm.log');
    expect(existsSync(log)).toBe(true);
    const url = /http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(join(fixture.dir, 'train', 'worker.log'), 'utf8'));
    expect(url).not.toBeNull();
    // The stage stopped the server: nothing answers on its port any more.
    await expect(fetch(`http://127.0.0.1:${url![1]}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();

    const before = await sampledReverseKl(python, studentBase, teacher, heldOut, environment);
    const after = await sampledReverseKl(python, join(fixture.dir, 'train', 'model'), teacher, heldOut, environment);
    console.log(`held-out per-token reverse KL to the served teacher: untrained ${before.toFixed(3)}, on-policy ${after.toFixed(3)}; train ${metrics.train_seconds.toFixed(1)} s`);
    expect(after).toBeLessThan(0.5 * before);
  }, 1_200_000);
});
