import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import { openFixtureRun, type RunFixture } from '../../../../test/train/run-fixture.js';
import { AbortedError } from '../../../errors.js';
import { runSplitStage } from '../../split/split-stage.js';
import { runTrainStage } from '../train-stage.js';
import { TrainingError } from '../training-errors.js';
import type { TrainingMetrics } from '../training-metrics.js';
import { LocalTrainer } from './local-trainer.js';

const temp = useTempDir();
const fakeWorker = fileURLToPath(new URL('../../../../test/train/fake-worker.mjs', import.meta.url));
let fixture: RunFixture | undefined;
afterEach(async () => {
  await fixture?.run.close();
  fixture = undefined;
});

async function setUp(scenario: string, student: Record<string, unknown> = {}, signal?: AbortSignal): Promise<RunFixture> {
  const environment = { FAKE_WORKER_SCENARIO: scenario, FAKE_WORKER_PID_FILE: join(temp.path(), 'worker.pid'), PATH: process.env.PATH };
  fixture = openFixtureRun(
    temp.path(),
    { split: { validation: 4, seed: 5 }, student: { base: 'tiny-model', trainer: 'local', checkpoint: 'best_valid_loss', hyperparameters: { epochs: 2, batch_size: 2, lora_r: 4 }, ...student } },
    undefined,
    { signal, environment },
  );
  await runSplitStage(fixture.run.context, { tokenCounter: null });
  return fixture;
}

const trainer = (graceMs?: number) => new LocalTrainer({ python: process.execPath, script: fakeWorker, graceMs });
const read = (path: string) => readFileSync(path, 'utf8');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('LocalTrainer with a scripted worker', () => {
  it('writes the job file, turns worker events into metrics and progress, and keeps stderr in worker.log', async () => {
    const run = await setUp('success', { hyperparameters: { epochs: 2, batch_size: 2, lora_r: 4, learning_rate_multiplier: 2 } });
    const figures = await runTrainStage(run.run.context, { trainer: trainer() });
    const job = JSON.parse(read(join(run.dir, 'train', 'job.json')));
    expect(job).toEqual({
      base_model: 'tiny-model',
      train_file: join(run.dir, 'split', 'train.jsonl'),
      validation_file: join(run.dir, 'split', 'validation.jsonl'),
      output_dir: join(run.dir, 'train'),
      method: 'lora',
      lora: { r: 4 },
      hyperparameters: { epochs: 2, batch_size: 2, seed: 5 },
      checkpoint: 'best_valid_loss',
      merge: false,
      trust_remote_code: false,
      device: 'auto',
      loss: { type: 'sft' },
      assistant_prefix: '',
      attn_implementation: 'auto',
      liger_kernel: false,
      resume: true,
    });
    const metrics = JSON.parse(read(join(run.dir, 'train', 'metrics.json'))) as TrainingMetrics;
    expect(metrics).toMatchObject({ trainer: 'local', provider: 'worker', status: 'succeeded', total_steps: 4, trained_tokens: 400, cost: 0, served_model: null, adapter_dir: join(run.dir, 'train', 'adapter') });
    expect(metrics.epochs).toEqual([
      { epoch: 1, step: 2, train_loss: 1.8, valid_loss: 1.5 },
      { epoch: 2, step: 4, train_loss: 1.1, valid_loss: 1.7 },
    ]);
    expect(metrics.chosen_checkpoint).toEqual({ id: 'checkpoint-2', step: 2, epoch: 1, train_loss: 1.8, valid_loss: 1.5 });
    expect(figures).toMatchObject({ trainer: 'local', steps: 4, epochs: 2, chosen_step: 2, valid_loss: 1.5 });
    expect(existsSync(join(run.dir, 'train', 'adapter', 'adapter_config.json'))).toBe(true);
    expect(run.events.filter((event) => event.type === 'training-step').map((event) => (event as { step: number }).step)).toEqual([1, 2, 3, 4]);
    expect(run.events).toContainEqual({ type: 'training-step', stage: 'train', step: 3, totalSteps: 4, epoch: 1.5, loss: 1.2 });
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringContaining('unrecognized line: a stray print') }));
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringContaining('learning_rate_multiplier') }));
    const log = read(join(run.dir, 'train', 'worker.log'));
    expect(log).toContain(`[fake-worker] train ${join(run.dir, 'train', 'job.json')}`);
    expect(log).toMatch(/PYTHONPATH=\S*\/worker/);
    const events = read(join(run.dir, 'train', 'events.jsonl')).trim().split('\n').map((line) => JSON.parse(line));
    expect(events.filter((event) => event.kind === 'checkpoint').map((event) => event.id)).toEqual(['checkpoint-2', 'checkpoint-4']);
  });

  it('keeps the checkpoints of a killed run for the worker to resume from, unless --fresh', async () => {
    const run = await setUp('success');
    const checkpoint = join(run.dir, 'train', 'checkpoints', 'checkpoint-2');
    mkdirSync(checkpoint, { recursive: true });
    await runTrainStage(run.run.context, { trainer: trainer() });
    expect(JSON.parse(read(join(run.dir, 'train', 'job.json'))).resume).toBe(true);
    expect(existsSync(checkpoint)).toBe(true);
    await runTrainStage(run.run.context, { trainer: trainer(), fresh: true });
    expect(JSON.parse(read(join(run.dir, 'train', 'job.json'))).resume).toBe(false);
    expect(existsSync(checkpoint)).toBe(false);
  });

  it('runs the worker under accelerate launch with the generated config when student.distributed is set', async () => {
    const run = await setUp('success', { distributed: { processes: 2, strategy: 'fsdp' } });
    await runTrainStage(run.run.context, { trainer: trainer() });
    const config = JSON.parse(read(join(run.dir, 'train', 'accelerate.json')));
    expect(config).toMatchObject({ distributed_type: 'FSDP', num_processes: 2, fsdp_config: { fsdp_version: 2 } });
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'log', message: 'training with 2 processes (fsdp) under accelerate launch' }));
  });

  it('reports the worker’s typed error event', async () => {
    const run = await setUp('error-event');
    const failure = runTrainStage(run.run.context, { trainer: trainer() });
    await expect(failure).rejects.toThrow(TrainingError);
    await expect(runTrainStage(run.run.context, { trainer: trainer() })).rejects.toMatchObject({
      message: 'worker OutOfMemory: CUDA out of memory. Tried to allocate 2.00 GiB',
      details: { workerErrorType: 'OutOfMemory' },
    });
  });

  it('turns a crash without an error event into the last 20 lines of the worker log', async () => {
    const run = await setUp('crash');
    const error = (await runTrainStage(run.run.context, { trainer: trainer() }).catch((caught: unknown) => caught)) as TrainingError;
    expect(error).toBeInstanceOf(TrainingError);
    expect(error.message).toMatch(/exited with status 3/);
    expect(error.message).toContain('log line 30');
    expect(error.message).toContain('log line 11');
    expect(error.message).not.toContain('log line 10\n');
    expect(error.details.logTail).toHaveLength(20);
  });

  it.each([
    ['hang', undefined],
    ['ignore-term', 300],
  ])('terminates the worker on Ctrl-C (%s)', async (scenario, graceMs) => {
    const controller = new AbortController();
    const run = await setUp(scenario, {}, controller.signal);
    const started = setInterval(() => {
      if (run.events.some((event) => event.type === 'log' && event.message.startsWith('job running'))) controller.abort(new Error('interrupted'));
    }, 5);
    const outcome = runTrainStage(run.run.context, { trainer: trainer(graceMs) }).catch((caught: unknown) => caught);
    const error = await outcome;
    clearInterval(started);
    expect(error).toBeInstanceOf(AbortedError);
    const pid = Number(read(join(temp.path(), 'worker.pid')));
    expect(isAlive(pid)).toBe(false);
    if (scenario === 'ignore-term') expect(read(join(run.dir, 'train', 'worker.log'))).toContain('ignoring SIGTERM');
  });
});
