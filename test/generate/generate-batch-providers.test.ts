import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlTolerant } from '../../src/data/jsonl.js';
import type { GeneratedRecord } from '../../src/stages/generate/generated-record.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { generateThrough, sentences, writeTask } from '../helpers/task-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir();
const fake = useFakeProvider();
const batchMode = { mode: 'batch', poll_interval: 0.01 };

describe('generate in batch mode against provider faults and shapes', () => {
  it('one 502 while polling, a dropped upload and a dropped download do not fail the stage', async () => {
    fake().setBehaviour({ batch: { pollsPerStatus: 2 }, faults: [
      { match: { nth: 1 }, kind: 'drop-before-response', endpoint: '/v1/files' },
      { match: { predicate: (request) => request.method === 'GET' && /^\/v1\/batches\/[^/]+$/.test(request.path) }, kind: '502', times: 1, endpoint: '/v1/batches' },
      { match: { predicate: (request) => request.path.endsWith('/content') }, kind: 'drop-mid-response', times: 1, endpoint: '/v1/files' },
    ] });
    const task = writeTask(temp.path(), fake().url, sentences(12), { teacher: batchMode });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 12, failed: 0, mode: 'batch' });
    expect(fake().state.batches.size).toBe(1);
    const retried = task.events.flatMap((event) => (event.type === 'log' && event.message.startsWith('retrying') ? [event.message] : []));
    expect(retried).toHaveLength(3);
    expect(retried.some((message) => /retrying \S+\/v1\/batches\/\S+ in \d+ ms \(attempt 1\): HTTP 502/.test(message))).toBe(true);
  });

  it('runs a Together batch to its end: /files/upload, {job, warning}, upper-case statuses', async () => {
    fake().setBehaviour({ batchStatusFlow: 'together', batch: { pollsPerStatus: 2 } });
    const task = writeTask(temp.path(), fake().url, sentences(8), { teacher: batchMode, endpoint: { flavor: 'together' } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 8, failed: 0, mode: 'batch' });
    const rows = readJsonlTolerant(join(task.runDir, 'generate', 'outputs.jsonl')) as GeneratedRecord[];
    for (const row of rows) expect(row.output).toBe(row.input.toUpperCase());
    expect(fake().state.requests.find((request) => request.path === '/v1/files/upload')?.body).toMatchObject({ purpose: 'batch-api' });
  });
});
