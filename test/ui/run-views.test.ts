import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPaths } from '../../src/stages/run-paths.js';
import { inClass, readEvaluationView } from '../../src/ui/evaluation-view.js';
import { RunCatalog } from '../../src/ui/run-catalog.js';
import { createUiApp } from '../../src/ui/ui-app.js';
import { RunFiles } from '../../src/ui/run-files.js';
import { readSnapshot } from '../../src/ui/run-snapshot.js';
import { readTrainingView } from '../../src/ui/training-view.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { buildFixtureRun } from './fixture-run.js';

describe('what the pages read from a run', () => {
  const directory = useTempDir();

  it('shows a running train stage at the last logged step, and its curves from the events before metrics.json exists', async () => {
    const dir = join(directory.path(), 'run');
    buildFixtureRun(dir, { runningStage: 'train', trainingSteps: 24 });
    const paths = runPaths(dir);
    writeFileSync(join(directory.path(), 'metrics-copy.json'), readFileSync(paths.train.metrics));
    rmSync(paths.train.metrics);
    // The first 10 steps and the first evaluation are logged so far.
    const events = readFileSync(paths.train.events, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; step?: number });
    writeFileSync(paths.train.events, `${events.filter((event) => event.step === undefined || event.step <= 10).map((event) => JSON.stringify(event)).join('\n')}\n`);
    const files = new RunFiles(dir);
    const train = readSnapshot({ name: 'run', dir }, files).stages.find((stage) => stage.name === 'train')!;
    expect(train.state).toBe('running');
    expect(train.progress).toEqual({ done: 10, total: 24, unit: 'steps' });
    const view = readTrainingView(files);
    expect(view.source).toBe('events');
    expect(view.steps.map((step) => step.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(view.evaluations).toEqual([]);
    expect(view.hyperparameters).toMatchObject({ lora_r: 8 });
    // The page reloads itself while training runs, and stops once metrics.json is written.
    const app = createUiApp(new RunCatalog({ runDir: dir }));
    expect(await (await app.request('/runs/run/training')).text()).toContain('<meta http-equiv="refresh" content="5">');
    writeFileSync(paths.train.metrics, readFileSync(join(directory.path(), 'metrics-copy.json')));
    expect(await (await app.request('/runs/run/training')).text()).not.toContain('http-equiv="refresh"');
  });

  it('falls back on report.json error-analysis ids for a run evaluated before items.jsonl existed', () => {
    const dir = join(directory.path(), 'old');
    const truth = buildFixtureRun(dir);
    rmSync(runPaths(dir).evaluate.items);
    const view = readEvaluationView(new RunFiles(dir));
    expect(view.items).toHaveLength(30);
    expect(view.graded).toBe(true);
    expect(view.items.filter((item) => inClass(view, item, 'compression')).map((item) => item.id)).toEqual(truth.compression);
    expect(view.items.filter((item) => inClass(view, item, 'inherited')).map((item) => item.id)).toEqual(truth.inherited);
    // Disagreement compares the answers themselves.
    const differing = view.items.filter((item) => inClass(view, item, 'disagreement')).map((item) => Number(item.id.slice(5)));
    expect(differing).toEqual(Array.from({ length: 30 }, (_, index) => index).filter((index) => (index % 3 === 0) !== (index % 5 === 0)));
  });

  it('reads a run that has only begun: pending stages, no report, no funnel, no training', () => {
    const dir = join(directory.path(), 'fresh');
    buildFixtureRun(dir);
    const paths = runPaths(dir);
    for (const file of [paths.evaluate.report, paths.curate.funnel, paths.train.metrics, paths.train.events]) rmSync(file);
    const files = new RunFiles(dir);
    const snapshot = readSnapshot({ name: 'fresh', dir }, files);
    expect(snapshot.report).toBeUndefined();
    expect(snapshot.funnel).toBeUndefined();
    expect(readTrainingView(files).source).toBe('none');
  });
});
