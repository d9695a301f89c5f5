import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openRun, type OpenRun } from '../../src/pipeline/open-run.js';
import { runStage } from '../../src/pipeline/run-stage.js';
import { runGenerateStage } from '../../src/stages/generate/generate-stage.js';
import { runInputsStage } from '../../src/stages/inputs/inputs-stage.js';
import type { PipelineEvent } from '../../src/stages/events.js';

export interface TaskFixture {
  dir: string;
  configPath: string;
  runDir: string;
  events: PipelineEvent[];
  open(options?: { environment?: NodeJS.ProcessEnv; signal?: AbortSignal }): OpenRun;
}

/** Writes a task config and its inputs into `dir`, pointing the teacher at `providerUrl`. */
export function writeTask(
  dir: string,
  providerUrl: string,
  inputs: { id?: string; input: string }[],
  overrides: { teacher?: Record<string, unknown>; endpoint?: Record<string, unknown>; inputs?: Record<string, unknown>; prices?: Record<string, unknown>; sections?: Record<string, unknown> } = {},
): TaskFixture {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'inputs.jsonl'), inputs.map((row) => JSON.stringify(row)).join('\n') + '\n');
  const config = {
    name: 'test-task',
    endpoints: { fake: { base_url: providerUrl, api_key_env: 'FAKE_API_KEY', timeout_s: 5, ...overrides.endpoint } },
    prices: overrides.prices ?? { 'teacher-model': { input: 0.2, output: 0.6 } },
    inputs: { path: 'inputs.jsonl', ...overrides.inputs },
    teacher: { endpoint: 'fake', model: 'teacher-model', system: 'Correct the grammar.', max_tokens: 64, concurrency: 8, poll_interval: 0.01, ...overrides.teacher },
    // Further top-level sections (curate, split, student, evaluate, serve) as written.
    ...overrides.sections,
  };
  const configPath = join(dir, 'task.yaml');
  writeFileSync(configPath, stringify(config));
  const runDir = join(dir, 'run');
  const events: PipelineEvent[] = [];
  return {
    dir,
    configPath,
    runDir,
    events,
    open(options = {}) {
      return openRun({ configPath, runDir, emit: (event) => events.push(event), environment: options.environment ?? { FAKE_API_KEY: 'sk-test-secret' }, signal: options.signal });
    },
  };
}

export function sentences(count: number, offset = 0): { id: string; input: string }[] {
  return Array.from({ length: count }, (_, index) => ({ id: `s${index + offset}`, input: `this sentence number ${index + offset} have an error` }));
}

/** Runs the inputs and generate stages of a task fixture, as `distillery generate` does, and closes the run. */
export async function generateThrough(task: TaskFixture, environment?: NodeJS.ProcessEnv) {
  const run = task.open({ environment });
  try {
    await runStage(run.context, 'inputs', () => runInputsStage(run.context));
    return await runStage(run.context, 'generate', () => runGenerateStage(run.context));
  } finally {
    await run.close();
  }
}
