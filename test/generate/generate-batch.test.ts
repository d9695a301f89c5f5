import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { runInputsStage } from '../../src/stages/inputs/inputs-stage.js';
import { runGenerateStage, readStageInputs } from '../../src/stages/generate/generate-stage.js';
import { generateBatch } from '../../src/stages/generate/batch-generator.js';
import { Budget } from '../../src/stages/generate/budget.js';
import { TeacherRequests } from '../../src/stages/generate/teacher-request.js';
import { stageClient } from '../../src/stages/stage-client.js';
import { runStage } from '../../src/pipeline/run-stage.js';
import { readJsonlTolerant } from '../../src/data/jsonl.js';
import type { GeneratedRecord } from '../../src/stages/generate/generated-record.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { generateThrough, sentences, writeTask, type TaskFixture } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();


const requestsTo = (path: string, method = 'POST') => fake().state.requests.filter((request) => request.path === path && request.method === method);
const outputs = (task: TaskFixture) => readJsonlTolerant(join(task.runDir, 'generate', 'outputs.jsonl')) as GeneratedRecord[];
const batchMode = { mode: 'batch', poll_interval: 0.01 };

describe('generate, batch mode', () => {
  it.each([
    ['openai', 'openai'],
    ['nebius', 'nebius'],
  ] as const)('runs a %s-shaped batch through its statuses and joins lines by custom_id', async (shape, flow) => {
    fake().setBehaviour({ batchShape: shape, batchStatusFlow: flow, batch: { pollsPerStatus: 2 } });
    const task = writeTask(temp.path(), fake().url, sentences(25), { teacher: batchMode });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 25, failed: 0, mode: 'batch' });
    // Output lines come shuffled; outputs.jsonl is in input order with each answer on its own input.
    const rows = outputs(task);
    expect(rows.map((row) => row.id)).toEqual(sentences(25).map((row) => row.id));
    for (const row of rows) expect(row.output).toBe(row.input.toUpperCase());
    expect(requestsTo('/v1/chat/completions')).toHaveLength(0);
    expect(requestsTo('/v1/batches')).toHaveLength(1);
    // The uploaded file is the run's generate/requests.jsonl, with custom_id per input and purpose batch.
    const upload = requestsTo('/v1/files')[0]!.body as { purpose: string };
    expect(upload.purpose).toBe('batch');
    const requestLines = readFileSync(join(task.runDir, 'generate', 'requests.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(requestLines[0]).toMatchObject({ custom_id: 's0', method: 'POST', url: '/v1/chat/completions', body: { model: 'teacher-model' } });
    // Batch pricing: half of the sync price.
    expect(figures.cost).toBeCloseTo(((figures.prompt_tokens * 0.2 + figures.completion_tokens * 0.6) / 1e6) * 0.5, 12);
  });

  it('retries rows that failed inside a batch in a follow-up batch', async () => {
    // Every fifth row fails once (the first time its custom_id is processed), as a transient server error would.
    const failedOnce = new Set<string>();
    fake().setBehaviour({
      batch: {
        lineFailure: (line) => {
          if (Number(line.custom_id.slice(1)) % 5 !== 0 || failedOnce.has(line.custom_id)) return undefined;
          failedOnce.add(line.custom_id);
          return { status_code: 500, message: 'internal error' };
        },
      },
    });
    const task = writeTask(temp.path(), fake().url, sentences(100), { teacher: { ...batchMode, batch_sync_stragglers: 0 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 100, failed: 0 });
    expect(requestsTo('/v1/batches')).toHaveLength(2);
    const secondFile = readFileSync(join(task.runDir, 'generate', 'batches', 'round-2-part-0.jsonl'), 'utf8').trim().split('\n');
    expect(secondFile.map((line) => JSON.parse(line).custom_id).sort()).toEqual([...failedOnce].sort());
    expect(secondFile).toHaveLength(20);
  });

  it('keeps the completed rows of an expired batch and sends the stragglers through sync mode', async () => {
    fake().setBehaviour({ batch: { outcome: 'expired', completedBeforeStop: 17 } });
    const task = writeTask(temp.path(), fake().url, sentences(20), { teacher: { ...batchMode, batch_sync_stragglers: 10 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 20, failed: 0 });
    expect(requestsTo('/v1/batches')).toHaveLength(1);
    expect(requestsTo('/v1/chat/completions')).toHaveLength(3);
  });

  it('shows a failed batch its errors, does not resubmit it unchanged, and writes the rows to errors.jsonl', async () => {
    fake().setBehaviour({ batch: { outcome: 'failed' } });
    const task = writeTask(temp.path(), fake().url, sentences(5), { teacher: { ...batchMode, batch_max_rounds: 2, batch_sync_stragglers: 0 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 0, failed: 5 });
    expect(requestsTo('/v1/batches')).toHaveLength(1);
    const errors = readJsonlTolerant(join(task.runDir, 'generate', 'errors.jsonl')) as { error: string }[];
    expect(errors[0]!.error).toMatch(/ended failed \(failed: The batch failed \(configured\)\.\)/);
    expect(task.events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringContaining('The batch failed (configured).') }));
  });

  it('splits batch files by bytes as well as by lines', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(30), { teacher: batchMode });
    const run = task.open();
    try {
      await runStage(run.context, 'inputs', () => runInputsStage(run.context));
      const requests = new TeacherRequests(run.context.task, run.context.task.config.teacher!);
      const { client } = await stageClient(run.context, 'fake', 'teacher-model', 4);
      const rows: string[] = [];
      await generateBatch({
        inputs: readStageInputs(run.context),
        requests, client, state: run.context.state, paths: run.context.paths, emit: () => undefined, signal: new AbortController().signal,
        budget: new Budget(run.context.state, 'generate', 'teacher', 'teacher-model', undefined, undefined),
        sink: { record: (record) => rows.push(record.id), failure: () => undefined, durable: () => Promise.resolve() },
        maxRequestsPerBatch: 25, maxBytesPerBatch: 2000,
      });
      expect(rows).toHaveLength(30);
      const sizes = [...fake().state.batches.values()].map((batch) => batch.lines.length);
      // ~250 bytes a request line: 2,000 bytes hold 7, so bytes decide before the 25-line limit.
      expect(sizes.length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...sizes)).toBeLessThan(25);
      expect(sizes.reduce((total, size) => total + size, 0)).toBe(30);
    } finally {
      await run.close();
    }
  });

  it('a malformed line in a batch output file goes to errors.jsonl, the other lines are kept', async () => {
    fake().setBehaviour({ batch: { lineFailure: () => undefined } });
    const task = writeTask(temp.path(), fake().url, sentences(4), { teacher: { ...batchMode, batch_max_rounds: 1, batch_sync_stragglers: 0 } });
    // Corrupt the output file as the provider stores it: the line of s2 loses its closing brace.
    const original = fake().state.files.create.bind(fake().state.files);
    fake().state.files.create = (name, purpose, content) => {
      if (purpose !== 'batch_output' || !name.endsWith('_output.jsonl')) return original(name, purpose, content);
      const corrupted = content.toString('utf8').split('\n').map((line) => (line.includes('"custom_id":"s2"') ? line.slice(0, -1) : line)).join('\n');
      return original(name, purpose, Buffer.from(corrupted));
    };
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 3, failed: 1 });
    const errors = readJsonlTolerant(join(task.runDir, 'generate', 'errors.jsonl')) as { id: string; error: string }[];
    expect(errors).toEqual([expect.objectContaining({ id: 's2', error: expect.stringMatching(/malformed line in batch .* line \d+: not JSON/) })]);
  });

  it('polls the stored batch on resume instead of submitting a new one', async () => {
    fake().setBehaviour({ batch: { pollsPerStatus: 40 } });
    const task = writeTask(temp.path(), fake().url, sentences(6), { teacher: batchMode });
    const controller = new AbortController();
    const run = task.open({ signal: controller.signal });
    await runStage(run.context, 'inputs', () => runInputsStage(run.context));
    const pending = runStage(run.context, 'generate', () => runGenerateStage(run.context));
    while (requestsTo('/v1/batches').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await run.close();
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 6, sent: 6, cached: 0 }); // collected once, not counted again from the cache
    expect(requestsTo('/v1/batches')).toHaveLength(1);
  });

  it('a batch of an older config is cancelled on resume: none of its answers reaches outputs or the cache', async () => {
    // Answers name the system prompt they were made under.
    fake().setBehaviour({
      answer: (request) => `${String(request.messages[0]?.content)} | ${String(request.messages.at(-1)?.content).toUpperCase()}`,
      batch: { pollsPerStatus: 1000 },
    });
    const configA = writeTask(temp.path(), fake().url, sentences(40), { teacher: { ...batchMode, system: 'PROMPT-A' } });
    const controller = new AbortController();
    const run = configA.open({ signal: controller.signal });
    await runStage(run.context, 'inputs', () => runInputsStage(run.context));
    const pending = runStage(run.context, 'generate', () => runGenerateStage(run.context));
    while (requestsTo('/v1/batches').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50)); // polled a few times: the batch is running
    controller.abort();
    await expect(pending).rejects.toThrow();
    await run.close();
    const [oldBatch] = [...fake().state.batches.values()];

    fake().setBehaviour({ batch: { pollsPerStatus: 1 } });
    const configB = writeTask(temp.path(), fake().url, sentences(40), { teacher: { ...batchMode, system: 'PROMPT-B' } });
    const figures = await generateThrough(configB);
    expect(figures).toMatchObject({ answered: 40, failed: 0 });
    // The old batch was cancelled and nothing of it was downloaded.
    expect(requestsTo(`/v1/batches/${oldBatch!.object.id}/cancel`)).toHaveLength(1);
    expect(oldBatch!.object.status).toMatch(/^cancell(ing|ed)$/);
    const downloads = fake().state.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/content'));
    expect(downloads).toHaveLength(1); // the new batch's output file only
    expect(requestsTo('/v1/batches')).toHaveLength(2);
    const rows = outputs(configB);
    expect(rows).toHaveLength(40);
    for (const row of rows) expect(row.output).toMatch(/^PROMPT-B \| /);
    const database = new Database(join(configB.runDir, 'state.sqlite'), { readonly: true });
    const cached = database.prepare('SELECT response FROM response_cache').pluck().all() as string[];
    database.close();
    expect(cached).toHaveLength(40);
    expect(cached.filter((response) => response.includes('PROMPT-A'))).toEqual([]);
    expect(configB.events).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringContaining('made under another config: cancelled') }));
  });

  it('finds the batch again by its metadata when the create answer was lost, instead of paying for a second', async () => {
    // The provider creates the batch, then the connection drops halfway through its answer.
    fake().setBehaviour({ faults: [{ endpoint: '/v1/batches', match: { predicate: (request) => request.method === 'POST' && request.path === '/v1/batches' }, kind: 'drop-mid-response', times: 1 }] });
    const task = writeTask(temp.path(), fake().url, sentences(12), { teacher: batchMode, endpoint: { max_attempts: 1 } });
    await expect(generateThrough(task)).rejects.toThrow();
    expect(fake().state.batches.size).toBe(1);
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 12, failed: 0 });
    expect(fake().state.batches.size).toBe(1);
    expect(requestsTo('/v1/batches', 'GET').length).toBeGreaterThan(0); // the listing that found it
    expect(task.events).toContainEqual(expect.objectContaining({ message: expect.stringContaining('found batch') }));
  });
});
