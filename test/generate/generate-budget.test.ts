import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, ConfigError } from '../../src/errors.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { generateThrough, sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();

// Prices that make one answer (prompt 10 words, completion 7) cost about $0.0062 in sync mode; its worst
// case (prompt bytes + max_tokens 64) is about $0.055. A budget of $0.125 is worth ~20 of 200 answers.
const prices = { 'teacher-model': { input: 200, output: 600 } };
const MAX_COST = 0.125;
const summary = (task: TaskFixture) => JSON.parse(readFileSync(join(task.runDir, 'generate', 'summary.json'), 'utf8')) as { cost: number; answered: number; unsent: number };
const oneRequest = (batch: boolean) => ((10 * 200 + 7 * 600) / 1e6) * (batch ? 0.5 : 1);

describe('teacher.max_cost holds', () => {
  it('sync at concurrency 32: stops within the budget plus one request, naming max_cost', async () => {
    fake().setBehaviour({ latencyMs: 40 });
    const task = writeTask(temp.path(), fake().url, sentences(200), { teacher: { max_cost: MAX_COST, concurrency: 32 }, prices });
    const error = await generateThrough(task).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(String(error)).toContain('teacher.max_cost');
    const spent = summary(task).cost;
    const paid = fake().state.requests.filter((request) => request.path === '/v1/chat/completions').length;
    expect(spent).toBeLessThanOrEqual(MAX_COST + oneRequest(false));
    expect(paid * oneRequest(false)).toBeLessThanOrEqual(MAX_COST + oneRequest(false) + 1e-9);
    // It did spend the budget it had, rather than stopping at the first reservation.
    expect(spent).toBeGreaterThan(MAX_COST / 2);
    expect(summary(task).answered).toBe(paid);
  }, 30_000);

  it('batch: submits only the chunk the remaining budget covers, and stops within it', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(200), { teacher: { mode: 'batch', max_cost: MAX_COST / 2, concurrency: 32, batch_sync_stragglers: 0 }, prices });
    const error = await generateThrough(task).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    const spent = summary(task).cost;
    expect(spent).toBeLessThanOrEqual(MAX_COST / 2 + oneRequest(true));
    expect(spent).toBeGreaterThan(MAX_COST / 4);
    // Every line of every submitted batch is paid: their number is what the budget allowed.
    const submittedLines = [...fake().state.batches.values()].reduce((total, batch) => total + batch.lines.length, 0);
    expect(submittedLines * oneRequest(true)).toBeLessThanOrEqual(MAX_COST / 2 + oneRequest(true) + 1e-9);
    expect(submittedLines).toBeGreaterThan(0);
    expect(summary(task).answered).toBe(submittedLines);
  }, 30_000);

  it('batch rows retried in sync mode reserve the sync price, so the budget holds for them too', async () => {
    // Every batch line fails, so every row goes to sync mode; each answer costs its full worst case
    // (usage as large as the reservation allows: prompt 80 + completion 8 tokens ≈ $0.0208, sync price).
    fake().setBehaviour({
      latencyMs: 40,
      answer: (request) => ({ content: String(request.messages.at(-1)?.content).toUpperCase(), usage: { prompt_tokens: 80, completion_tokens: 8 } }),
      batch: { lineFailure: () => ({ status_code: 500, message: 'transient' }) },
    });
    const task = writeTask(temp.path(), fake().url, sentences(100), {
      teacher: { mode: 'batch', max_tokens: 8, max_cost: MAX_COST, concurrency: 32, batch_sync_stragglers: 1000 },
      prices,
    });
    const error = await generateThrough(task).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    const paidChat = fake().state.requests.filter((request) => request.path === '/v1/chat/completions' && request.status === 200).length;
    const perAnswer = (80 * 200 + 8 * 600) / 1e6;
    expect(paidChat).toBeGreaterThan(0);
    expect(paidChat * perAnswer).toBeLessThanOrEqual(MAX_COST + perAnswer);
    expect(summary(task).cost).toBeLessThanOrEqual(MAX_COST + perAnswer);
  }, 30_000);

  it('max_cost for a model with no price is a config error, and nothing is sent', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(3), { teacher: { max_cost: 1 }, prices: {} });
    const error = await generateThrough(task).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/teacher\.max_cost .*no entry for 'teacher-model'/);
    expect(fake().state.requests).toHaveLength(0);
  });
});
