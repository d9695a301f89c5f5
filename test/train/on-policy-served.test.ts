import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureVllmPython } from '../../src/engines/vllm-environment.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { runOnPolicy } from './on-policy-run.js';
import type { RunFixture } from './run-fixture.js';

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

describe('on-policy distillation from a teacher served by vLLM', () => {
  it('pulls the student to the served teacher and stops the server', async () => {
    const [python, vllmPython] = await Promise.all([ensureWorkerPython(), ensureVllmPython()]);
    const environment = { PATH: process.env.PATH, HOME: process.env.HOME, CUDA_VISIBLE_DEVICES: '', OMP_NUM_THREADS: '1', DISTILLERY_VLLM_PYTHON: vllmPython };
    // Head size 64 (256 / 4): vLLM's CPU attention serves head sizes 32-512 only.
    const run = await runOnPolicy({ python, root: temp.path(), environment, loss: { teacher: 'served' }, epochs: 6, teacherSize: { hidden: 256, heads: 4, epochs: 8 }, onFixture: (made) => (fixture = made) });
    const { metrics, figures, before, after } = run;

    // One request per step (20 prompts, batch 5) and per validation batch (one per epoch).
    expect(metrics.teacher_calls).toBe(24 + 6);
    expect(metrics.teacher_tokens).toBeGreaterThan(0);
    expect(figures).toMatchObject({ teacher_calls: 24 + 6, teacher_tokens: metrics.teacher_tokens });
    expect(existsSync(join(run.fixture.dir, 'train', 'teacher-vllm.log'))).toBe(true);
    const url = /http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(join(run.fixture.dir, 'train', 'worker.log'), 'utf8'));
    expect(url).not.toBeNull();
    // The stage stopped the server: nothing answers on its port any more.
    await expect(fetch(`http://127.0.0.1:${url![1]}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();

    console.log(`held-out per-token reverse KL to the served teacher: untrained ${before.toFixed(3)}, on-policy ${after.toFixed(3)}; train ${metrics.train_seconds.toFixed(1)} s`);
    expect(after).toBeLessThan(0.5 * before);
  }, 1_200_000);
});
