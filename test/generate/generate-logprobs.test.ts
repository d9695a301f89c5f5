import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlTolerant } from '../../src/data/jsonl.js';
import { readLogprobsFile } from '../../src/stages/generate/logprobs-file.js';
import type { GeneratedRecord } from '../../src/stages/generate/generated-record.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { generateThrough, sentences, writeTask } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();
const chatRequests = () => fake().state.requests.filter((request) => request.path === '/v1/chat/completions');

describe('generate with teacher.logprobs', () => {
  it('asks for the top-k and stores them per output id beside outputs.jsonl', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(4), { teacher: { logprobs: { top_k: 3 } } });
    const figures = await generateThrough(task);
    expect(figures).toMatchObject({ answered: 4, failed: 0 });
    expect(chatRequests()[0]!.body).toMatchObject({ logprobs: true, top_logprobs: 3 });
    const outputs = readJsonlTolerant(join(task.runDir, 'generate', 'outputs.jsonl')) as GeneratedRecord[];
    const stored = await readLogprobsFile(join(task.runDir, 'generate', 'logprobs.jsonl'));
    expect([...stored.keys()].sort()).toEqual(outputs.map((row) => row.id).sort());
    for (const row of outputs) {
      const logprobs = stored.get(row.id)!;
      // The chosen tokens spell the answer; each has k = 3 alternatives, the chosen one first.
      expect(logprobs.positions.map((position) => position.token).join('')).toBe(row.output);
      for (const position of logprobs.positions) {
        expect(position.top).toHaveLength(3);
        expect(position.top[0]!.token).toBe(position.token);
        expect(position.top[0]!.logprob).toBe(Math.fround(position.logprob!));
      }
    }
  });

  it('derives logprobs.jsonl from the stored answers: a second run sends nothing and the file has one row per output, unchanged', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(5), { teacher: { logprobs: { top_k: 2 } } });
    await generateThrough(task);
    const path = join(task.runDir, 'generate', 'logprobs.jsonl');
    const first = readFileSync(path, 'utf8');
    const sent = chatRequests().length;
    await generateThrough(task);
    expect(chatRequests().length).toBe(sent);
    expect(readFileSync(path, 'utf8')).toBe(first);
    expect(first.trim().split('\n')).toHaveLength(5);
  });

  it('stores them in batch mode too (each request line asks for them)', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(3), { teacher: { logprobs: { top_k: 2 }, mode: 'batch', poll_interval: 0.01 } });
    expect(await generateThrough(task)).toMatchObject({ answered: 3, failed: 0, mode: 'batch' });
    expect(chatRequests()).toHaveLength(0);
    const stored = await readLogprobsFile(join(task.runDir, 'generate', 'logprobs.jsonl'));
    expect([...stored.keys()].sort()).toEqual(['s0', 's1', 's2']);
    for (const logprobs of stored.values()) expect(logprobs.positions.every((position) => position.top.length === 2)).toBe(true);
  });

  it('writes no logprobs file and sends no logprobs fields when not asked', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(2));
    await generateThrough(task);
    expect(chatRequests()[0]!.body).not.toHaveProperty('logprobs');
    expect(existsSync(join(task.runDir, 'generate', 'logprobs.jsonl'))).toBe(false);
  });

  it('refuses endpoints that do not return top_logprobs, and streaming', async () => {
    const local = writeTask(join(temp.path(), 'local'), fake().url, sentences(1), { teacher: { logprobs: { top_k: 3 } }, endpoint: { flavor: 'local' } });
    await expect(generateThrough(local)).rejects.toThrow(/teacher\.logprobs: the local endpoint flavor does not return top_logprobs/);
    const streamed = writeTask(join(temp.path(), 'stream'), fake().url, sentences(1), { teacher: { logprobs: { top_k: 3 }, stream: true } });
    await expect(generateThrough(streamed)).rejects.toThrow(/streamed answers are not parsed/);
    expect(chatRequests()).toHaveLength(0);
  });
});
