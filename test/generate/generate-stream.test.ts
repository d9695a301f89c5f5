import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlTolerant } from '../../src/data/jsonl.js';
import type { GeneratedRecord } from '../../src/stages/generate/generated-record.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { generateThrough, sentences, writeTask } from '../helpers/task-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir();
const fake = useFakeProvider();

describe('generate with teacher.stream', () => {
  it('streams every request and assembles the same rows, a stream broken mid-way retried', async () => {
    fake().setBehaviour({ faults: [{ match: { nth: 2 }, kind: 'drop-mid-response' }] });
    const task = writeTask(temp.path(), fake().url, sentences(6), { teacher: { stream: true, concurrency: 2 } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 6, failed: 0 });
    const chat = fake().state.requests.filter((request) => request.path === '/v1/chat/completions');
    expect(chat).toHaveLength(7);
    expect(chat.every((request) => (request.body as { stream?: boolean }).stream === true)).toBe(true);
    const rows = readJsonlTolerant(join(task.runDir, 'generate', 'outputs.jsonl')) as GeneratedRecord[];
    expect(rows.map((row) => row.output)).toEqual(sentences(6).map((row) => row.input.toUpperCase()));
    expect(rows.every((row) => row.usage.completion_tokens > 0)).toBe(true);
  });
});
