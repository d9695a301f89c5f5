import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadTask } from '../config/load.js';
import { buildFilters } from '../stages/curate/build-filters.js';
import { startFakeProvider, type FakeProvider } from '../../test/fake-provider/index.js';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { registerInit } from './init-command.js';
import { registerRun } from './pipeline-command.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  vi.restoreAllMocks();
  delete process.env.INIT_TEST_KEY;
});

async function cli(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerInit(program);
  registerRun(program);
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed += String(chunk);
    return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
  });
  await program.parseAsync(args, { from: 'user' });
  vi.restoreAllMocks();
  return printed;
}

function inputsFile(dir: string, count: number): string {
  const path = join(dir, 'data', 'inputs.jsonl');
  temp.write('data/inputs.jsonl', Array.from({ length: count }, (_, index) => JSON.stringify({ text: `review number ${index} was ${index % 2 ? 'great' : 'awful'}` })).join('\n'));
  return path;
}

describe('distillery init', () => {
  it('non-interactive with flags: a commented, valid task.yaml that `run --to split` accepts against an OpenAI-compatible provider', async () => {
    provider = await startFakeProvider({ answer: (request) => (JSON.stringify(request.messages).includes('great') ? 'pos' : 'neg') });
    process.env.INIT_TEST_KEY = 'sk-init-test';
    const dir = temp.path();
    const inputs = inputsFile(dir, 40);
    const taskDir = join(dir, 'sentiment');
    const printed = await cli(
      'init', taskDir, '--yes', '--kind', 'classification', '--labels', 'pos,neg', '--inputs', inputs, '--field', 'text',
      '--provider', 'custom', '--base-url', provider.url, '--api-key-env', 'INIT_TEST_KEY', '--teacher-model', 'big-teacher', '--student-base', 'small-base',
    );
    const yaml = readFileSync(join(taskDir, 'task.yaml'), 'utf8');
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=.*schema\/task\.schema\.json\n/);
    expect(existsSync(join(taskDir, yaml.split('\n')[0]!.split('$schema=')[1]!))).toBe(true);
    expect(yaml).toContain('verify: { labels: ["pos", "neg"] }');
    expect(readFileSync(join(taskDir, 'prompts', 'system.txt'), 'utf8')).toContain('exactly one of: pos, neg');
    expect(printed).toMatch(/distillery generate .*task\.yaml --run-dir runs\/sentiment --estimate/);
    expect(printed).toContain('export INIT_TEST_KEY=');
    const task = loadTask(join(taskDir, 'task.yaml'));
    expect(task.config.teacher).toMatchObject({ model: 'big-teacher', endpoint: 'provider' });
    expect(task.config.student).toMatchObject({ base: 'small-base', trainer: 'hosted', endpoint: 'provider' });

    const runDir = join(dir, 'run');
    await cli('run', join(taskDir, 'task.yaml'), '--run-dir', runDir, '--to', 'split');
    const train = readFileSync(join(runDir, 'split', 'train.jsonl'), 'utf8').trim().split('\n');
    const validation = readFileSync(join(runDir, 'split', 'validation.jsonl'), 'utf8').trim().split('\n');
    expect(train.length + validation.length).toBe(40);
    expect(train[0]).toMatch(/"content":"(pos|neg)"/);
  }, 60_000);

  it('writes an imported-answers task with no teacher section, refuses to overwrite, and names what is missing', async () => {
    const dir = temp.path();
    const inputs = join(dir, 'answers.jsonl');
    writeFileSync(inputs, '{"input":"a","answer":"A"}\n');
    const taskDir = join(dir, 'byo');
    await cli('init', taskDir, '--yes', '--kind', 'rewriting', '--inputs', inputs, '--output-field', 'answer', '--student-base', 'base', '--trainer', 'local', '--eval-data', inputs);
    const task = loadTask(join(taskDir, 'task.yaml'));
    expect(task.config.teacher).toBeUndefined();
    expect(task.config.inputs).toMatchObject({ output_field: 'answer', path: '../answers.jsonl' });
    expect(task.config.evaluate?.models).toEqual({ student: { from: 'train' }, base: { endpoint: 'local', model: 'base', system: 'prompts/system.txt' } });
    await expect(cli('init', taskDir, '--yes', '--kind', 'rewriting', '--inputs', inputs, '--output-field', 'answer', '--student-base', 'base')).rejects.toThrow(/task\.yaml exists: pass --force/);
    // Every missing piece at once, also those that are required only together with another answer.
    await expect(cli('init', join(dir, 'other'), '--yes', '--kind', 'classification', '--inputs', inputs, '--teacher-model', 't')).rejects.toThrow(
      /--student-base: required\n  --labels: a classification task needs at least two labels/,
    );
    await expect(cli('init', join(dir, 'other'), '--yes', '--kind', 'classification', '--inputs', inputs, '--teacher-model', 't', '--student-base', 'b')).rejects.toThrow(/--labels: a classification task needs at least two labels/);
  });

  it('writes a valid task for every kind: the config loads, its curate filters build, its evaluation section parses', async () => {
    const dir = temp.path();
    const inputs = join(dir, 'in.jsonl');
    writeFileSync(inputs, '{"input":"x"}\n');
    for (const kind of ['classification', 'extraction', 'rewriting', 'free-form']) {
      const taskDir = join(dir, kind);
      await cli('init', taskDir, '--yes', '--kind', kind, '--labels', 'a,b', '--inputs', inputs, '--provider', 'together', '--teacher-model', 't', '--student-base', 'b', '--eval-data', inputs);
      const task = loadTask(join(taskDir, 'task.yaml'));
      expect(task.config.endpoints.provider).toMatchObject({ base_url: 'https://api.together.xyz/v1', api_key_env: 'TOGETHER_API_KEY', flavor: 'together' });
      const { filters } = await buildFilters(task.config.curate, { configDirectory: taskDir });
      expect(filters.length, kind).toBeGreaterThanOrEqual(3);
      expect(task.config.evaluate?.metrics.length, kind).toBeGreaterThan(0);
    }
    expect(existsSync(join(dir, 'extraction', 'schemas', 'output.schema.json'))).toBe(true);
  });
});
