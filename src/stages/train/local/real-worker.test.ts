import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeNeeding, workerPython } from '../../../../test/helpers/needs.js';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import { openFixtureRun, type KeptRow, type RunFixture } from '../../../../test/train/run-fixture.js';
import { runSplitStage } from '../../split/split-stage.js';
import { runTrainStage } from '../train-stage.js';
import type { TrainingMetrics } from '../training-metrics.js';
import { runWorker } from './worker-process.js';

/**
 * End to end with the real Python worker on a tiny random Llama (CPU, about a minute), in the managed worker
 * environment (`npm test` creates it before vitest; DISTILLERY_WORKER_PYTHON names another).
 */

const temp = useTempDir();
let fixture: RunFixture | undefined;
afterEach(async () => {
  await fixture?.run.close();
  fixture = undefined;
});

const words = 'the cat sat on a mat dog ran fast slow red blue green house tree river'.split(' ');
function rows(count: number): KeptRow[] {
  return Array.from({ length: count }, (_, index) => {
    const input = Array.from({ length: 5 }, (_, position) => words[(index * 7 + position * 3) % words.length]).join(' ');
    return { id: `row-${index}`, input, output: input.toUpperCase() };
  });
}

describeNeeding('local training with the real worker', workerPython(), (python) => {
  it('trains a LoRA adapter on a tiny model and writes per-epoch validation loss', async () => {
    const data = rows(24);
    const text = temp.write('text.txt', data.flatMap((row) => [row.input, row.output, 'Shout.']).join('\n').repeat(4));
    const model = join(temp.path(), 'tiny');
    const environment = { PATH: process.env.PATH, HOME: process.env.HOME, CUDA_VISIBLE_DEVICES: '' };
    const made = await runWorker({ python, args: ['make-tiny', '--out', model, '--text', text], environment });
    expect(made.code).toBe(0);

    const workspace = join(temp.path(), 'task');
    mkdirSync(workspace);
    fixture = openFixtureRun(
      workspace,
      {
        split: { validation: 4, seed: 11 },
        student: {
          base: model,
          trainer: 'local',
          python,
          system: 'Shout.',
          checkpoint: 'best_valid_loss',
          hyperparameters: { epochs: 2, batch_size: 4, max_length: 128, packing: false, lora_r: 4, lora_alpha: 8, learning_rate: 0.001 },
        },
      },
      data,
      { environment },
    );
    const split = await runSplitStage(fixture.run.context);
    // Real token counts from the tiny model's tokenizer through the worker's `tokens` command.
    expect(split.train_tokens).toBeGreaterThan(0);
    const stats = JSON.parse(readFileSync(join(fixture.dir, 'split', 'stats.json'), 'utf8'));
    expect(stats.train.tokenizer).toMatchObject({ count: 20 });
    expect(stats.train.tokenizer.assistant_tokens.total).toBeGreaterThan(0);

    const figures = await runTrainStage(fixture.run.context);
    const adapter = join(fixture.dir, 'train', 'adapter');
    expect(existsSync(join(adapter, 'adapter_config.json'))).toBe(true);
    expect(existsSync(join(adapter, 'adapter_model.safetensors'))).toBe(true);
    const metrics = JSON.parse(readFileSync(join(fixture.dir, 'train', 'metrics.json'), 'utf8')) as TrainingMetrics;
    expect(metrics).toMatchObject({ trainer: 'local', provider: 'worker', status: 'succeeded', adapter_dir: adapter, total_steps: 10 });
    expect(metrics.epochs).toHaveLength(2);
    for (const epoch of metrics.epochs) {
      expect(epoch.valid_loss).toEqual(expect.any(Number));
      expect(epoch.train_loss).toEqual(expect.any(Number));
    }
    const best = Math.min(...metrics.epochs.map((epoch) => epoch.valid_loss!));
    expect(metrics.chosen_checkpoint?.valid_loss).toBe(best);
    expect(metrics.trained_tokens).toBeGreaterThan(0);
    expect(figures).toMatchObject({ trainer: 'local', epochs: 2, steps: 10 });
    expect(readFileSync(join(fixture.dir, 'train', 'worker.log'), 'utf8').length).toBeGreaterThan(0);
    expect(fixture.events.filter((event) => event.type === 'training-step')).toHaveLength(10);
  }, 300_000);
});
