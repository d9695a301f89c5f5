import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline, stageOutput, type StageRunner } from '../../src/pipeline/run-pipeline.js';
import type { StageName } from '../../src/pipeline/stage-hash.js';
import type { StageContext } from '../../src/stages/context.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { sentences, writeTask } from '../helpers/task-fixture.js';

const temp = useTempDir();

/** Runners that record their calls and leave their output file, like real stages. */
function recordingRunners(calls: StageName[], stages: StageName[]): Partial<Record<StageName, StageRunner>> {
  const runners: Partial<Record<StageName, StageRunner>> = {};
  for (const stage of stages) {
    runners[stage] = async (context: StageContext) => {
      calls.push(stage);
      const file = stageOutput(context.paths, stage);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'done\n');
      return { stage };
    };
  }
  return runners;
}

const ALL: StageName[] = ['inputs', 'generate', 'curate', 'split', 'train', 'evaluate', 'report'];

describe('runPipeline', () => {
  it('runs every stage once, then skips stages done with the current config', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    const run = task.open();
    const first = await runPipeline(run.context, recordingRunners(calls, ALL));
    expect(first.ran).toEqual(ALL);
    const second = await runPipeline(run.context, recordingRunners(calls, ALL));
    expect(second.ran).toEqual([]);
    expect(second.skipped).toEqual(ALL);
    expect(run.context.state.stage('curate')?.state).toBe('done');
    await run.close();
  });

  it('re-runs a stage whose config changed and everything after it', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    let run = task.open();
    await runPipeline(run.context, recordingRunners(calls, ALL));
    await run.close();
    const changed = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1), { teacher: { temperature: 0.3 } });
    run = changed.open();
    const result = await runPipeline(run.context, recordingRunners(calls, ALL));
    expect(result.ran).toEqual(['generate', 'curate', 'split', 'train', 'evaluate', 'report']);
    await run.close();
  });

  it('does not re-run for a change that cannot change answers (concurrency, budget)', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    let run = task.open();
    await runPipeline(run.context, recordingRunners(calls, ALL));
    await run.close();
    run = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1), { teacher: { concurrency: 3, max_cost: 9 } }).open();
    expect((await runPipeline(run.context, recordingRunners(calls, ALL))).ran).toEqual([]);
    await run.close();
  });

  it('re-runs a stage whose output file is gone, and the rest after it', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    const run = task.open();
    await runPipeline(run.context, recordingRunners(calls, ALL));
    rmSync(stageOutput(run.context.paths, 'split'));
    expect((await runPipeline(run.context, recordingRunners(calls, ALL))).ran).toEqual(['split', 'train', 'evaluate', 'report']);
    await run.close();
  });

  it('honours --from and --to, and refuses to start after an unfinished stage', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    const run = task.open();
    expect((await runPipeline(run.context, recordingRunners(calls, ALL), { to: 'curate' })).ran).toEqual(['inputs', 'generate', 'curate']);
    await expect(runPipeline(run.context, recordingRunners(calls, ALL), { from: 'train' })).rejects.toThrow(/stage 'split' before it is not done/);
    expect((await runPipeline(run.context, recordingRunners(calls, ALL), { from: 'generate', to: 'split' })).ran).toEqual(['generate', 'curate', 'split']);
    await run.close();
  });

  it('stops where a stage is not configured', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    const run = task.open();
    const result = await runPipeline(run.context, recordingRunners(calls, ['inputs', 'generate', 'curate', 'split']));
    expect(result.ran).toEqual(['inputs', 'generate', 'curate', 'split']);
    expect(task.events).toContainEqual({ type: 'stage-skipped', stage: 'train', reason: 'not configured' });
    await run.close();
  });

  it('records a failed stage with its error and does not run later stages', async () => {
    const task = writeTask(temp.path(), 'http://127.0.0.1:9/v1', sentences(1));
    const calls: StageName[] = [];
    const run = task.open();
    const runners = recordingRunners(calls, ALL);
    runners.curate = async () => {
      throw new Error('judge endpoint unreachable');
    };
    await expect(runPipeline(run.context, runners)).rejects.toThrow('judge endpoint unreachable');
    expect(run.context.state.stage('curate')).toMatchObject({ state: 'failed', error: 'judge endpoint unreachable' });
    expect(calls).toEqual(['inputs', 'generate']);
    await run.close();
  });
});
