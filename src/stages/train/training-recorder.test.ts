import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import type { StageContext } from '../context.js';
import type { PipelineEvent } from '../events.js';
import { runPaths } from '../run-paths.js';
import { TrainingRecorder } from './training-recorder.js';

const temp = useTempDir();
const header = { trainer: 'hosted', provider: 'openai', base_model: 'm', method: 'lora', checkpoint_rule: 'last' } as const;

function stage(events: PipelineEvent[]): StageContext {
  const paths = runPaths(temp.path());
  mkdirSync(paths.train.dir, { recursive: true });
  return { paths, emit: (event: PipelineEvent) => events.push(event) } as unknown as StageContext;
}

describe('TrainingRecorder', () => {
  it('groups steps into epochs, emits progress, and fills checkpoint losses from their epoch', async () => {
    const events: PipelineEvent[] = [];
    const recorder = new TrainingRecorder(stage(events), header);
    recorder.record({ kind: 'status', status: 'running', totalSteps: 4 });
    for (const [step, loss] of [[1, 2], [2, 1], [3, 0.8], [4, 0.6]] as const) recorder.record({ kind: 'step', step, epoch: step / 2, loss });
    recorder.record({ kind: 'eval', step: 2, epoch: 1, validLoss: 1.4 });
    recorder.record({ kind: 'eval', step: 4, epoch: 2, validLoss: 1.2 });
    recorder.record({ kind: 'checkpoint', id: 'c2', step: 2, epoch: 1, validLoss: 1.4 });
    const metrics = recorder.metrics('running');
    await recorder.close();
    expect(metrics.epochs).toEqual([
      { epoch: 1, step: 2, train_loss: 1.5, valid_loss: 1.4 },
      { epoch: 2, step: 4, train_loss: 0.7, valid_loss: 1.2 },
    ]);
    expect(metrics.checkpoints).toEqual([{ id: 'c2', step: 2, epoch: 1, train_loss: 1.5, valid_loss: 1.4 }]);
    expect(events.filter((event) => event.type === 'training-step')).toHaveLength(4);
    expect(events).toContainEqual({ type: 'training-step', stage: 'train', step: 4, totalSteps: 4, epoch: 2, loss: 0.6 });
  });

  it('starts a new events.jsonl for a new job and reads the old one back when continuing', async () => {
    const context = stage([]);
    const lines = [{ kind: 'status', status: 'running', totalSteps: 4 }, { kind: 'step', step: 2, epoch: 1, loss: 1 }, { kind: 'eval', step: 2, epoch: 1, validLoss: 1.3 }, { nonsense: true }];
    writeFileSync(context.paths.train.events, lines.map((line) => `${JSON.stringify(line)}\n`).join('') + '{"kind": "step", "st');
    const continuing = new TrainingRecorder(context, header, { continuing: true });
    continuing.record({ kind: 'eval', step: 2, epoch: 1, validLoss: 1.3 }); // seen before: not recorded twice
    continuing.record({ kind: 'eval', step: 4, epoch: 2, validLoss: 1.1 });
    const metrics = continuing.metrics('running');
    await continuing.close();
    expect(metrics.total_steps).toBe(4);
    expect(metrics.evaluations.map((evaluation) => evaluation.step)).toEqual([2, 4]);
    expect(metrics.epochs[0]).toMatchObject({ epoch: 1, train_loss: 1, valid_loss: 1.3 });
    const written = readFileSync(context.paths.train.events, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind?: string; step?: number });
    expect(written.filter((event) => event.kind === 'eval').map((event) => event.step)).toEqual([2, 4]);
    expect(written).toHaveLength(lines.length + 1);

    const fresh = new TrainingRecorder(context, header);
    await fresh.close();
    expect(readFileSync(context.paths.train.events, 'utf8')).toBe('');
  });
});
