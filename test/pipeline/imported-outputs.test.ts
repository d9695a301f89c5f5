import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { registerRun } from '../../src/cli/pipeline-command.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function runToTrain(dir: string, inputs: Record<string, unknown>): Promise<string> {
  const config = join(dir, 'task.yaml');
  writeFileSync(
    config,
    stringify({
      name: 'imported',
      endpoints: { tuner: { base_url: provider!.url, flavor: 'openai' } },
      inputs,
      curate: ['drop_truncated', 'dedup'],
      split: { validation: 2, seed: 1 },
      student: { base: 'base-model', trainer: 'hosted', endpoint: 'tuner', poll_interval: 0.005, system: 'Correct the grammar.', hyperparameters: { epochs: 1 } },
    }),
  );
  const runDir = join(dir, 'run');
  const program = new Command().exitOverride();
  registerRun(program);
  await program.parseAsync(['run', config, '--run-dir', runDir, '--to', 'train'], { from: 'user' });
  return runDir;
}

describe('teacher answers brought from elsewhere', () => {
  it('output_field: curate → split → hosted train with no teacher section, and no model asked', async () => {
    provider = await startFakeProvider();
    const dir = temp.path();
    const rows = Array.from({ length: 10 }, (_, index) => ({ id: `q${index}`, text: `sentence number ${index} have error`, fixed: `Sentence number ${index} has an error.`, finish_reason: 'stop' }));
    rows.push({ id: 'cut', text: 'a cut answer here', fixed: 'A cut', finish_reason: 'length' });
    writeFileSync(join(dir, 'answers.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n'));

    const runDir = await runToTrain(dir, { path: 'answers.jsonl', field: 'text', output_field: 'fixed' });

    const outputs = lines(join(runDir, 'generate', 'outputs.jsonl'));
    expect(outputs).toHaveLength(11);
    expect(outputs[0]).toMatchObject({ id: 'q0', input: 'sentence number 0 have error', output: 'Sentence number 0 has an error.', truncated: false, usage: { prompt_tokens: 0, completion_tokens: 0 } });
    expect(JSON.parse(readFileSync(join(runDir, 'generate', 'summary.json'), 'utf8'))).toMatchObject({ mode: 'imported', answered: 11, truncated: 1, sent: 0, cost: 0 });
    expect(lines(join(runDir, 'curate', 'dropped.jsonl')).map((row) => row.id)).toEqual(['cut']);
    const split = [...lines(join(runDir, 'split', 'train.jsonl')), ...lines(join(runDir, 'split', 'validation.jsonl'))];
    expect(split).toHaveLength(10);
    const assistant = split.map((row) => (row.messages as { role: string; content: string }[]).at(-1)!.content).sort();
    expect(assistant).toEqual(rows.slice(0, 10).map((row) => row.fixed).sort());
    expect(provider.state.requests.some((request) => request.path.includes('/chat/completions'))).toBe(false);
    expect(provider.state.fineTuningJobs.size).toBe(1);
    const uploads = provider.state.files.list().map((file) => provider!.state.files.require(file.id).content.toString('utf8'));
    expect(uploads.join('')).toContain('Sentence number 3 has an error.');
  }, 60_000);

  it('chat-log JSONL: the last assistant message is the answer', async () => {
    provider = await startFakeProvider();
    const dir = temp.path();
    const chats = Array.from({ length: 6 }, (_, index) => ({
      messages: [
        { role: 'system', content: 'You fix grammar.' },
        { role: 'user', content: `this are row ${index}` },
        { role: 'assistant', content: `This is row ${index}.` },
      ],
    }));
    writeFileSync(join(dir, 'chats.jsonl'), chats.map((row) => JSON.stringify(row)).join('\n'));
    const runDir = await runToTrain(dir, { path: 'chats.jsonl', format: 'chat' });
    const outputs = lines(join(runDir, 'generate', 'outputs.jsonl'));
    expect(outputs.map((row) => [row.input, row.output])).toEqual(chats.map((_, index) => [`this are row ${index}`, `This is row ${index}.`]));
    expect(outputs[0]!.fields).toEqual({ prompt_messages: [{ role: 'system', content: 'You fix grammar.' }, { role: 'user', content: 'this are row 0' }] });
    expect(provider.state.fineTuningJobs.size).toBe(1);
  }, 60_000);
});
