import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { readJsonlTolerant } from '../../src/data/jsonl.js';
import { BudgetExceededError } from '../../src/errors.js';
import type { GeneratedRecord } from '../../src/stages/generate/generated-record.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { generateThrough, sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();


const chatRequests = () => fake().state.requests.filter((request) => request.path === '/v1/chat/completions');
const outputs = (task: TaskFixture) => readJsonlTolerant(join(task.runDir, 'generate', 'outputs.jsonl')) as GeneratedRecord[];

describe('generate, sync mode', () => {
  it('answers every input in input order, with reasoning stripped, usage and cost', async () => {
    fake().setBehaviour({
      answer: (request) => {
        const last = String(request.messages.at(-1)?.content);
        return { content: `<think>checking "${last}"</think>\n${last.replace(' have ', ' has ')}` };
      },
    });
    const task = writeTask(temp.path(), fake().url, sentences(20));
    const figures = await generateThrough(task);
    const rows = outputs(task);
    expect(rows.map((row) => row.id)).toEqual(sentences(20).map((row) => row.id));
    expect(rows[3]).toMatchObject({ id: 's3', output: 'this sentence number 3 has an error', reasoning: 'checking "this sentence number 3 have an error"', truncated: false, finish_reason: 'stop' });
    expect(rows[3]!.usage.prompt_tokens).toBeGreaterThan(0);
    expect(figures).toMatchObject({ inputs: 20, answered: 20, failed: 0, sent: 20, cached: 0 });
    const expectedCost = (figures.prompt_tokens * 0.2 + figures.completion_tokens * 0.6) / 1e6;
    expect(figures.cost).toBeCloseTo(expectedCost, 12);
    const summary = JSON.parse(readFileSync(join(task.runDir, 'generate', 'summary.json'), 'utf8'));
    expect(summary.answered).toBe(20);
    // The system prompt and the user turn went out as configured.
    expect(chatRequests()[0]!.body).toMatchObject({ model: 'teacher-model', max_tokens: 64, messages: [{ role: 'system', content: 'Correct the grammar.' }, { role: 'user' }] });
  });

  it('retries 429 (honouring Retry-After), 5xx, dropped connections and empty answers', async () => {
    fake().setBehaviour({
      faults: [
        { match: { nth: [1, 2] }, kind: '429', retryAfterMs: 30 },
        { match: { nth: 3 }, kind: '500' },
        { match: { nth: 4 }, kind: '502' },
        { match: { nth: 5 }, kind: 'drop-before-response' },
        { match: { nth: 6 }, kind: 'drop-mid-response' },
        { match: { nth: 7 }, kind: 'empty-content' },
      ],
    });
    const task = writeTask(temp.path(), fake().url, sentences(10), { teacher: { concurrency: 2 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 10, failed: 0, retries: 7 });
    expect(chatRequests()).toHaveLength(17);
    expect(outputs(task).every((row) => row.output !== '')).toBe(true);
  });

  it('times out a slow answer and retries it', async () => {
    fake().setBehaviour({ faults: [{ match: { nth: 1 }, kind: 'slow', delayMs: 3000 }] });
    const task = writeTask(temp.path(), fake().url, sentences(2), { endpoint: { timeout_s: 0.3 }, teacher: { concurrency: 1 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 2, retries: 1 });
  });

  it('writes inputs that fail for good to errors.jsonl with the last error', async () => {
    fake().setBehaviour({ faults: [{ match: { inputContains: 'number 1 have' }, kind: '500' }] });
    const task = writeTask(temp.path(), fake().url, sentences(3), { endpoint: { max_attempts: 2 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 2, failed: 1 });
    const errors = readJsonlTolerant(join(task.runDir, 'generate', 'errors.jsonl')) as { id: string; error: string; attempts: number }[];
    expect(errors).toEqual([expect.objectContaining({ id: 's1', attempts: 2, error: expect.stringContaining('HTTP 500') })]);
  });

  it('does not retry a 400 and names the problem', async () => {
    fake().setBehaviour({ models: ['another-model'] });
    const task = writeTask(temp.path(), fake().url, sentences(1));
    const figures = await generateThrough(task);
    expect(figures.failed).toBe(1);
    expect(chatRequests()).toHaveLength(1);
  });

  it.each([
    ['keep', 3, 3],
    ['drop', 0, 3],
  ] as const)('on_truncated: %s', async (mode, truncatedRows, _inputs) => {
    fake().setBehaviour({ faults: [{ match: { always: true }, kind: 'truncate' }] });
    const task = writeTask(temp.path(), fake().url, sentences(3), { teacher: { on_truncated: mode } });
    const figures = await generateThrough(task);
    expect(figures.truncated).toBe(truncatedRows);
    if (mode === 'drop') {
      const errors = readJsonlTolerant(join(task.runDir, 'generate', 'errors.jsonl')) as { error: string }[];
      expect(errors.map((error) => error.error)).toEqual(Array(3).fill('truncated at 64 tokens (teacher.on_truncated: drop)'));
    }
  });

  it('on_truncated: retry asks again with a larger max_tokens', async () => {
    fake().setBehaviour({ faults: [{ match: { predicate: (request) => request.bodyText.includes('"max_tokens":64') }, kind: 'truncate' }] });
    const task = writeTask(temp.path(), fake().url, sentences(2), { teacher: { on_truncated: 'retry', retry_max_tokens: 256 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 2, truncated: 0 });
    expect(chatRequests().map((request) => (request.body as { max_tokens: number }).max_tokens).sort()).toEqual([256, 256, 64, 64]);
  });

  it('resumes without paying twice, and re-asks nothing already answered when rows are added', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(10));
    await generateThrough(task);
    expect(chatRequests()).toHaveLength(10);
    const again = await generateThrough(task);
    expect(again).toMatchObject({ answered: 10, sent: 0, resumed: 10 });
    expect(chatRequests()).toHaveLength(10);
    // Five new rows: only they are asked.
    const grown = writeTask(temp.path(), fake().url, sentences(15));
    const figures = await generateThrough(grown);
    expect(figures).toMatchObject({ answered: 15, sent: 5 });
    expect(chatRequests()).toHaveLength(15);
  });

  it('serves a lost outputs file from the cache, and asks again when a parameter changes', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(4));
    await generateThrough(task);
    const { rmSync } = await import('node:fs');
    rmSync(join(task.runDir, 'generate', 'outputs.jsonl'));
    const cached = await generateThrough(task);
    expect(cached).toMatchObject({ answered: 4, sent: 0, cached: 4, cost_this_run: 0 });
    const warmer = writeTask(temp.path(), fake().url, sentences(4), { teacher: { temperature: 0.7 } });
    expect(await generateThrough(warmer)).toMatchObject({ sent: 4 });
  });

  it('stops submitting at max_cost, says so, and continues later without paying again', async () => {
    // Each answer costs about (prompt 10 × 200 + completion 7 × 600) / 1e6 ≈ $0.006; its worst case
    // (prompt bytes + max_tokens 64) about $0.055 is reserved before it is sent.
    const prices = { 'teacher-model': { input: 200, output: 600 } };
    const task = writeTask(temp.path(), fake().url, sentences(40), { teacher: { max_cost: 0.15, concurrency: 1 }, prices });
    const error = await generateThrough(task).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(String(error)).toMatch(/teacher\.max_cost \$0\.15 reached .* inputs were not sent/);
    const firstRound = chatRequests().length;
    expect(firstRound).toBeGreaterThan(0);
    expect(firstRound).toBeLessThan(40);
    const rows = outputs(task);
    expect(rows).toHaveLength(firstRound);
    const raised = writeTask(temp.path(), fake().url, sentences(40), { teacher: { max_cost: 100, concurrency: 1 }, prices });
    const figures = await generateThrough(raised);
    expect(figures.answered).toBe(40);
    expect(chatRequests()).toHaveLength(40);
  });

  it('needs the API key variable, names it, and never writes the key into the run directory', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(2));
    await expect(generateThrough(task, {})).rejects.toThrow(/set the environment variable FAKE_API_KEY/);
    await generateThrough(task);
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(task.runDir);
    for (const file of files) expect(readFileSync(file).includes('sk-test-secret'), file).toBe(false);
  });

  it('respects the configured concurrency', async () => {
    fake().setBehaviour({ latencyMs: 30 });
    const task = writeTask(temp.path(), fake().url, sentences(24), { teacher: { concurrency: 4 } });
    await generateThrough(task);
    const times = chatRequests().map((request) => request.time).sort((left, right) => left - right);
    // With 4 in flight and 30 ms each, 24 requests take at least 6 rounds.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(5 * 25);
  });

  it('keeps client-side RPM', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(4), { endpoint: { rpm: 600 }, teacher: { concurrency: 4 } });
    const started = Date.now();
    await generateThrough(task);
    // 600 rpm = one per 100 ms after the first second's credit of 10: no wait for 4. 60 rpm: ~3 s.
    expect(Date.now() - started).toBeLessThan(3000);
    const slow = writeTask(temp.path(), fake().url, sentences(3, 100), { endpoint: { rpm: 120 }, teacher: { concurrency: 4 } });
    const slowStart = Date.now();
    await generateThrough(slow);
    expect(Date.now() - slowStart).toBeGreaterThanOrEqual(450); // 2/s with 2 of credit at start: the third waits 0.5 s
  });
});
