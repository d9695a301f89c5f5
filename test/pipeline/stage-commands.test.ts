import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCurate } from '../../src/cli/curate-command.js';
import { registerEvaluate } from '../../src/cli/evaluate-command.js';
import { registerSplit } from '../../src/cli/split-command.js';
import { openDatabase } from '../../src/store/database.js';
import { RunState, type StageRow } from '../../src/store/run-state.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { sentences, writeTask } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();

function cli(...args: string[]): Promise<Command> {
  const program = new Command().exitOverride();
  registerCurate(program);
  registerSplit(program);
  registerEvaluate(program);
  return program.parseAsync(args, { from: 'user' });
}

function stages(runDir: string): Record<string, StageRow | undefined> {
  const database = openDatabase(join(runDir, 'state.sqlite'));
  try {
    const state = new RunState(database);
    return Object.fromEntries(['inputs', 'generate', 'curate', 'split', 'train'].map((name) => [name, state.stage(name as 'inputs')]));
  } finally {
    database.close();
  }
}

const chatRequests = () => fake().state.requests.filter((request) => request.path === '/v1/chat/completions').length;

describe('one-stage commands run what they need first', () => {
  it('curate on a fresh run directory runs inputs and generate first; split then reuses them', async () => {
    temp.write('prompts/system.txt', 'Correct the grammar.');
    const task = writeTask(temp.path(), fake().url, sentences(5), { teacher: { system: 'prompts/system.txt' }, sections: { split: { validation: 1 } } });
    process.env.FAKE_API_KEY = 'sk-test-secret';
    try {
      await cli('curate', task.configPath, '--run-dir', task.runDir);
      const afterCurate = stages(task.runDir);
      expect([afterCurate.inputs?.state, afterCurate.generate?.state, afterCurate.curate?.state]).toEqual(['done', 'done', 'done']);
      expect(existsSync(join(task.runDir, 'curate', 'kept.jsonl'))).toBe(true);
      expect(chatRequests()).toBe(5);

      await cli('split', task.configPath, '--run-dir', task.runDir);
      const afterSplit = stages(task.runDir);
      expect(afterSplit.split?.state).toBe('done');
      expect(afterSplit.generate?.startedAt).toBe(afterCurate.generate?.startedAt);
      expect(chatRequests()).toBe(5);

      // An edited prompt makes generate stale: split runs it again first.
      writeFileSync(join(task.dir, 'prompts/system.txt'), 'Fix the grammar, nothing else.');
      await cli('split', task.configPath, '--run-dir', task.runDir);
      expect(stages(task.runDir).generate?.startedAt).not.toBe(afterCurate.generate?.startedAt);
      expect(chatRequests()).toBe(10);
    } finally {
      delete process.env.FAKE_API_KEY;
    }
  }, 30_000);

  it('evaluate without a student section says which stage it needs instead of evaluating nothing', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(2), {
      sections: { evaluate: { data: { path: 'inputs.jsonl', references: 'input' }, models: { student: { from: 'train' } }, metrics: ['exact_match'] } },
    });
    process.env.FAKE_API_KEY = 'sk-test-secret';
    try {
      await expect(cli('evaluate', task.configPath, '--run-dir', task.runDir)).rejects.toThrow(/the evaluate stage needs the train stage/);
      expect(stages(task.runDir).split?.state).toBe('done');
    } finally {
      delete process.env.FAKE_API_KEY;
    }
  }, 30_000);
});
