import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openRun, type OpenRun } from '../../src/pipeline/open-run.js';
import type { PipelineEvent } from '../../src/stages/events.js';

export interface KeptRow {
  id: string;
  input: string;
  output: string;
  reasoning?: string | null;
  fields?: Record<string, unknown>;
}

/** `count` kept rows: "sentence number i" → "SENTENCE NUMBER I." */
export function keptRows(count: number): KeptRow[] {
  return Array.from({ length: count }, (_, index) => ({ id: `row-${String(index).padStart(3, '0')}`, input: `sentence number ${index}`, output: `SENTENCE NUMBER ${index}.` }));
}

export interface RunFixture {
  run: OpenRun;
  events: PipelineEvent[];
  dir: string;
}

/**
 * A run directory with a config (teacher section filled in, `overrides` merged at the top level) and
 * `curate/kept.jsonl`, opened with the real pipeline code.
 */
export function openFixtureRun(dir: string, overrides: Record<string, unknown>, rows: KeptRow[] = keptRows(12), extra: { signal?: AbortSignal; environment?: NodeJS.ProcessEnv } = {}): RunFixture {
  writeFileSync(join(dir, 'inputs.jsonl'), '');
  const config = {
    name: 'Grammar Checker',
    inputs: { path: 'inputs.jsonl' },
    teacher: { endpoint: 'local', model: 'teacher' },
    ...overrides,
  };
  const configPath = join(dir, 'task.yaml');
  writeFileSync(configPath, stringify(config));
  const runDir = join(dir, 'run');
  mkdirSync(join(runDir, 'curate'), { recursive: true });
  writeFileSync(join(runDir, 'curate', 'kept.jsonl'), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const events: PipelineEvent[] = [];
  const run = openRun({ configPath, runDir, emit: (event) => events.push(event), signal: extra.signal, environment: extra.environment ?? {} });
  return { run, events, dir: runDir };
}
