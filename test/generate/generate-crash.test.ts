import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'distillery.js');

function cli(task: TaskFixture, ...extra: string[]) {
  return spawn(process.execPath, [BIN, 'generate', task.configPath, '--run-dir', task.runDir, ...extra], {
    env: { ...process.env, FAKE_API_KEY: 'sk-test-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runToEnd(task: TaskFixture, ...extra: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = cli(task, ...extra);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '') : []);

describe('generate survives kill -9', () => {
  it('sync: resumes after a hard kill without asking answered inputs again', async () => {
    fake().setBehaviour({ latencyMs: 40 });
    const task = writeTask(temp.path(), fake().url, sentences(80), { teacher: { concurrency: 4 } });
    const outputs = join(task.runDir, 'generate', 'outputs.jsonl');
    const child = cli(task);
    const chatRequests = () => fake().state.requests.filter((request) => request.path === '/v1/chat/completions').length;
    await waitFor(() => chatRequests() >= 12);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(chatRequests()).toBeLessThan(80);
    // outputs.jsonl is derived at the end only: a killed run leaves none (or the previous, whole file).
    expect(lines(outputs)).toHaveLength(0);

    const result = await runToEnd(task);
    expect(result.code, result.stderr).toBe(0);
    const rows = lines(outputs).map((line) => JSON.parse(line) as { id: string });
    expect(rows.map((row) => row.id)).toEqual(sentences(80).map((row) => row.id));
    // At most the requests in flight at the kill (concurrency 4) were asked twice.
    const chat = fake().state.requests.filter((request) => request.path === '/v1/chat/completions');
    expect(chat.length).toBeLessThanOrEqual(80 + 4);
    expect(chat.length).toBeGreaterThanOrEqual(80);
  }, 60_000);

  it('batch: a resumed run polls the batch the killed run submitted', async () => {
    fake().setBehaviour({ batch: { pollsPerStatus: 60 } });
    const task = writeTask(temp.path(), fake().url, sentences(10), { teacher: { mode: 'batch', poll_interval: 0.01 } });
    const child = cli(task);
    await waitFor(() => fake().state.requests.some((request) => request.path === '/v1/batches' && request.method === 'POST'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    const result = await runToEnd(task);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(join(task.runDir, 'generate', 'outputs.jsonl'))).toHaveLength(10);
    expect(fake().state.requests.filter((request) => request.path === '/v1/batches' && request.method === 'POST')).toHaveLength(1);
  }, 60_000);

  it('--estimate prints tokens and cost and sends nothing', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(10), { teacher: { max_tokens: 100 } });
    const result = await runToEnd(task, '--estimate');
    expect(result.code, result.stderr).toBe(0);
    const estimate = JSON.parse(result.stdout) as { requests: number; maxCompletionTokens: number; maxCost: number; priced: boolean };
    expect(estimate).toMatchObject({ requests: 10, maxCompletionTokens: 1000, priced: true });
    expect(estimate.maxCost).toBeGreaterThan(1000 * 0.6e-6);
    expect(fake().state.requests).toHaveLength(0);
  }, 30_000);

  it('a bad config exits non-zero naming the key and file', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(1), { teacher: { mode: 'fast' } });
    const result = await runToEnd(task);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${task.configPath}:`);
    expect(result.stderr).toContain('teacher.mode');
  }, 30_000);
});
