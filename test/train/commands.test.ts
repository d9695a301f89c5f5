import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { registerSplit } from '../../src/cli/split-command.js';
import { registerTrain } from '../../src/cli/train-command.js';
import { openDatabase } from '../../src/store/database.js';
import { RunState } from '../../src/store/run-state.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

function program(): Command {
  const command = new Command().exitOverride();
  registerSplit(command);
  registerTrain(command);
  return command;
}

describe('split and train commands', () => {
  it('split runs the stages it needs and writes the split; train runs a stale split first, trains, and records both stages as done', async () => {
    provider = await startFakeProvider();
    const dir = temp.path();
    writeFileSync(join(dir, 'inputs.jsonl'), Array.from({ length: 6 }, (_, index) => JSON.stringify({ id: `s${index}`, input: `sentence number ${index}` })).join('\n') + '\n');
    const config = join(dir, 'task.yaml');
    const task = {
      name: 'cli',
      endpoints: { tuner: { base_url: provider.url, flavor: 'openai' } },
      inputs: { path: 'inputs.jsonl' },
      teacher: { endpoint: 'tuner', model: 'teacher' },
      split: { validation: 2, seed: 1 },
      student: { base: 'base-model', trainer: 'hosted', endpoint: 'tuner', poll_interval: 0.005, hyperparameters: { epochs: 2 } },
    };
    writeFileSync(config, stringify(task));
    const runDir = join(dir, 'run');

    // A fresh run directory: split runs inputs, generate (the fake teacher) and curate first.
    await program().parseAsync(['split', config, '--run-dir', runDir], { from: 'user' });
    expect(existsSync(join(runDir, 'split', 'validation.jsonl'))).toBe(true);

    writeFileSync(config, stringify({ ...task, split: { validation: 3, seed: 1 } })); // the split is stale now
    await program().parseAsync(['train', config, '--run-dir', runDir], { from: 'user' });
    const database = openDatabase(join(runDir, 'state.sqlite'));
    try {
      const state = new RunState(database);
      expect(state.stage('split')).toMatchObject({ state: 'done', figures: { train: 3, validation: 3 } });
      expect(state.stage('train')).toMatchObject({ state: 'done', figures: { trainer: 'hosted', provider: 'openai', epochs: 2 } });
    } finally {
      database.close();
    }
    expect(existsSync(join(runDir, 'train', 'metrics.json'))).toBe(true);
  });
});
