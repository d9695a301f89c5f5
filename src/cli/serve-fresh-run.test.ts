import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeProvider } from '../../test/fake-provider/index.js';
import { filesContaining, filesUnder } from '../../test/helpers/files-under.js';
import { registerServe } from './serve-command.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function serve(...args: string[]): Promise<Command> {
  const program = new Command().exitOverride();
  registerServe(program);
  return program.parseAsync(['node', 'distillery', 'serve', ...args]);
}


const SECRET = 'gw-secret-7f3a9c';

async function freshTask(serveSection: string) {
  const provider = await startFakeProvider({ answer: (request) => (request.model === 'teacher-model' ? 'TEACHER' : 'student answer') });
  const directory = mkdtempSync(join(tmpdir(), 'distillery-serve-fresh-'));
  cleanups.push(() => provider.close(), () => rmSync(directory, { recursive: true, force: true }));
  const config = join(directory, 'task.yaml');
  writeFileSync(
    config,
    [
      'name: gateway-only',
      `endpoints: { gw: { base_url: "${provider.url}", headers_env: { x-gateway-key: GW_KEY } } }`,
      'inputs: { path: inputs.jsonl }',
      'teacher: { endpoint: gw, model: teacher-model }',
      serveSection,
      '',
    ].join('\n'),
  );
  return { provider, config, runDir: join(directory, 'run') };
}

describe('serve on a fresh run directory', () => {
  it('starts with serve.student and serve.fallback named, sends header values from the environment, and writes no secret', async () => {
    const { provider, config, runDir } = await freshTask('serve: { port: 0, student: { endpoint: gw, model: student-model }, fallback: { endpoint: gw, model: teacher-model } }');
    expect(existsSync(runDir)).toBe(false);
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    vi.stubEnv('DISTILLERY_SERVE_TOKEN', 'client-token');
    vi.stubEnv('GW_KEY', SECRET);
    const serving = serve(config, '--run-dir', runDir);
    await vi.waitFor(() => expect(lines.join('')).toContain('serving gateway-only at'));
    const url = /at (http:\/\/\S+\/v1)/.exec(lines.join(''))![1]!;
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer client-token' },
      body: JSON.stringify({ model: 'gateway-only', messages: [{ role: 'user', content: 'she go home' }] }),
    });
    expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('student answer');
    expect(provider.state.requests[0]!.headers['x-gateway-key']).toBe(SECRET);
    process.emit('SIGTERM');
    await serving;
    const written = filesUnder(runDir);
    expect(written.length).toBeGreaterThan(0);
    expect(filesContaining(runDir, SECRET)).toEqual([]);
  });

  it('without both models named, a fresh run directory is an error that says what to do', async () => {
    const { config, runDir } = await freshTask('serve: { port: 0, student: { endpoint: gw, model: student-model } }');
    await expect(serve(config, '--run-dir', runDir)).rejects.toThrow(/run the pipeline first, or name serve.student and serve.fallback/);
  });

  it('a header variable that is not set is named in the error', async () => {
    const { config, runDir } = await freshTask('serve: { port: 0, student: { endpoint: gw, model: student-model }, fallback: { endpoint: gw, model: teacher-model } }');
    vi.stubEnv('GW_KEY', '');
    await expect(serve(config, '--run-dir', runDir)).rejects.toThrow(/needs the header x-gateway-key: set the environment variable GW_KEY/);
  });
});
