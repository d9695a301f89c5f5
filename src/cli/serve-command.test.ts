import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../test/fake-provider/index.js';
import { registerCapture } from './capture-command.js';
import { registerServe } from './serve-command.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

function program(): Command {
  const command = new Command().exitOverride();
  registerServe(command);
  registerCapture(command);
  return command;
}

async function fixture(): Promise<{ directory: string; config: string; runDir: string; provider: FakeProvider }> {
  const provider = await startFakeProvider({ answer: (request) => (request.model === 'teacher-model' ? 'TEACHER' : 'student answer') });
  const directory = mkdtempSync(join(tmpdir(), 'distillery-serve-'));
  cleanups.push(() => provider.close(), () => rmSync(directory, { recursive: true, force: true }));
  const config = join(directory, 'task.yaml');
  writeFileSync(
    config,
    [
      'name: grammar-checker',
      `endpoints: { fake: { base_url: "${provider.url}" } }`,
      'inputs: { path: inputs.jsonl }',
      'teacher: { endpoint: fake, model: teacher-model, system: "You are a proofreader." }',
      'student: { base: tiny-base, trainer: hosted, endpoint: fake, system: "Correct the grammar." }',
      'serve: { port: 0, rules: { max_input_tokens: 40 } }',
      '',
    ].join('\n'),
  );
  const runDir = join(directory, 'run');
  mkdirSync(join(runDir, 'train'), { recursive: true });
  writeFileSync(join(runDir, 'train', 'metrics.json'), JSON.stringify({ served_model: 'ft:tiny-base:student-1' }));
  writeFileSync(join(runDir, 'state.sqlite'), '');
  return { directory, config, runDir, provider };
}

describe('serve and capture commands', () => {
  it('serves the run’s hosted student with its prompt, falls back to the teacher, and captures the fallback', async () => {
    const { directory, config, runDir, provider } = await fixture();
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    vi.stubEnv('DISTILLERY_SERVE_TOKEN', 'chosen-token');
    const serving = program().parseAsync(['node', 'distillery', 'serve', config, '--run-dir', runDir]);
    await vi.waitFor(() => expect(lines.join('')).toContain('serving grammar-checker at'));
    expect(lines.join('')).not.toContain('chosen-token');
    const url = /at (http:\/\/\S+\/v1)/.exec(lines.join(''))![1]!;
    const ask = (input: string) =>
      fetch(`${url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer chosen-token' }, body: JSON.stringify({ model: 'grammar-checker', messages: [{ role: 'user', content: input }] }) });
    expect(((await (await ask('she go home')).json()) as Record<string, any>).choices[0].message.content).toBe('student answer');
    expect(((await (await ask('word '.repeat(100))).json()) as Record<string, any>).choices[0].message.content).toBe('TEACHER');
    const [toStudent, toTeacher] = provider.state.requests.map((request) => request.body as Record<string, any>);
    expect(toStudent).toMatchObject({ model: 'ft:tiny-base:student-1', messages: [{ role: 'system', content: 'Correct the grammar.' }, { role: 'user', content: 'she go home' }] });
    expect(toTeacher!.model).toBe('teacher-model');
    expect(toTeacher!.messages[0]).toEqual({ role: 'system', content: 'You are a proofreader.' });
    process.emit('SIGTERM');
    await serving;
    vi.unstubAllEnvs();

    const out = join(directory, 'inputs.jsonl');
    await program().parseAsync(['node', 'distillery', 'capture', '--run-dir', runDir, '--out', out]);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ input: 'word '.repeat(100), fallback_reasons: ['input_too_long'], fallback_output: 'TEACHER' });
    await program().parseAsync(['node', 'distillery', 'capture', '--run-dir', runDir, '--out', out, '--only', 'all']);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
