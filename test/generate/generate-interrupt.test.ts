import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'distillery.js');

function generate(task: TaskFixture) {
  const child = spawn(process.execPath, [BIN, 'generate', task.configPath, '--run-dir', task.runDir], {
    env: { ...process.env, FAKE_API_KEY: 'sk-test-secret' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stderr: string; at: number }>((resolve) => child.on('close', (code) => resolve({ code, stderr, at: Date.now() })));
  return { child, exited };
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const chat = () => fake().state.requests.filter((request) => request.path === '/v1/chat/completions');
const rows = (task: TaskFixture) => readFileSync(join(task.runDir, 'generate', 'outputs.jsonl'), 'utf8').split('\n').filter((line) => line !== '');

describe('Ctrl-C during generate (a real child process, real signals)', () => {
  it('the first SIGINT stops submitting, lets the requests in flight finish and writes them; the run continues later', async () => {
    fake().setBehaviour({ latencyMs: 1500 });
    const task = writeTask(temp.path(), fake().url, sentences(20), { teacher: { concurrency: 4 } });
    const run = generate(task);
    await waitFor(() => chat().length === 4);
    run.child.kill('SIGINT');
    const interruptedAt = Date.now();
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('stopping after the requests in flight');
    // The four requests in flight were answered, not cancelled, and nothing new was sent.
    expect(chat()).toHaveLength(4);
    expect(chat().every((request) => request.status === 200 && request.delivered)).toBe(true);
    expect(result.at - interruptedAt).toBeLessThan(10_000);
    expect(rows(task)).toHaveLength(4);

    fake().setBehaviour({ latencyMs: 0 });
    const resumed = generate(task);
    const finished = await resumed.exited;
    expect(finished.code, finished.stderr).toBe(0);
    expect(rows(task)).toHaveLength(20);
    expect(chat()).toHaveLength(20); // the four answered before the stop were not asked again
  }, 60_000);

  it('a second SIGINT exits at once, without waiting for the requests in flight', async () => {
    fake().setBehaviour({ latencyMs: 20_000 });
    const task = writeTask(temp.path(), fake().url, sentences(8), { teacher: { concurrency: 4 } });
    const run = generate(task);
    await waitFor(() => chat().length === 4);
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill('SIGINT');
    const secondAt = Date.now();
    const result = await run.exited;
    expect(result.code).toBe(130);
    expect(result.at - secondAt).toBeLessThan(3_000);
    expect(chat()).toHaveLength(4);
  }, 60_000);
});
