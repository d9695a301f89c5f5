import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../chat.js';
import { makeRecord } from '../test-records.js';
import { judgeFilter } from './judge.js';
import { parseJudgeAnswer } from './parse-judge-answer.js';

describe('parseJudgeAnswer', () => {
  it('reads JSON, Score: lines, n/5 and bare digits', () => {
    expect(parseJudgeAnswer('```json\n{"score": 4, "rationale": "minor typo"}\n```')).toEqual({ score: 4, rationale: 'minor typo' });
    expect(parseJudgeAnswer('{"score": "3", "reason": "partial"}')).toEqual({ score: 3, rationale: 'partial' });
    expect(parseJudgeAnswer('The answer is right but terse.\n**Score:** 4')?.score).toBe(4);
    expect(parseJudgeAnswer('Initial score: 2. After review, final score: 5')?.score).toBe(5);
    expect(parseJudgeAnswer('I would rate this 3/5.')?.score).toBe(3);
    expect(parseJudgeAnswer(' 5 ')?.score).toBe(5);
  });

  it('returns null for answers without a usable score', () => {
    expect(parseJudgeAnswer('Looks great!')).toBeNull();
    expect(parseJudgeAnswer('{"score": 9}')).toBeNull();
    expect(parseJudgeAnswer('Score: 7')).toBeNull();
  });
});

describe('judge', () => {
  it('scores with bounded concurrency, drops low scores and unparseable answers', async () => {
    let inFlight = 0;
    let peak = 0;
    const prompts: string[] = [];
    const chat = async (messages: ChatMessage[]) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      const prompt = messages[0]?.content ?? '';
      prompts.push(prompt);
      if (prompt.includes('OUT-low')) return { content: '{"score": 2, "rationale": "wrong"}' };
      if (prompt.includes('OUT-garbled')) return { content: 'no idea' };
      return { content: 'Score: 5' };
    };
    const directory = await mkdtemp(join(tmpdir(), 'judge-'));
    await writeFile(join(directory, 'rubric.txt'), 'Q={input} A={output} Score 1-5.');
    const options = judgeFilter.options.parse({ endpoint: 'nebius', model: 'judge', min_score: 4, prompt: 'rubric.txt', concurrency: 2 });
    const filter = await judgeFilter.create(options, { configDirectory: directory, chatFor: () => chat });
    const records = ['OUT-good', 'OUT-low', 'OUT-garbled', 'OUT-good2', 'OUT-{input}'].map((output, index) => makeRecord(String(index), `in${index}`, output));
    const result = await filter.apply(records, {});
    expect(peak).toBe(2);
    expect(prompts).toContain('Q=in4 A=OUT-{input} Score 1-5.');
    expect(result.kept.map((record) => record.id)).toEqual(['0', '3', '4']);
    expect(result.dropped.map(({ reason, detail }) => ({ reason, detail }))).toEqual([
      { reason: 'judge_score', detail: { score: 2, rationale: 'wrong' } },
      { reason: 'judge_unparsed', detail: { answer: 'no idea' } },
    ]);
  });
});
