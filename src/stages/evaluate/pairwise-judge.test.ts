import { describe, expect, it } from 'vitest';
import type { EvaluationItem } from './evaluation-item.js';
import type { AskJudge } from './judge-asker.js';
import { DEFAULT_PAIRWISE_PROMPT } from './judge-prompts.js';
import { judgePairwise } from './pairwise-judge.js';

const items: EvaluationItem[] = Array.from({ length: 40 }, (_, index) => ({ id: `i${index}`, input: `in ${index}`, references: [`ref ${index}`], label: undefined, original: { input: `in ${index}`, references: [] }, strata: {} }));
const outputs = { student: items.map((item) => `student ${item.id}`), teacher: items.map((item) => `teacher ${item.id}`) };
const options = { student: 'student', against: 'teacher', sample: undefined, bothOrders: 0, seed: 7, template: DEFAULT_PAIRWISE_PROMPT, workers: 4, signal: new AbortController().signal };

/** A judge that always prefers the teacher's answer, wherever it is shown. */
const prefersTeacher: AskJudge = async (prompt) => ({ answer: prompt.indexOf('Answer A:\nteacher') >= 0 ? 'A' : 'B', error: null, cached: false });
/** A judge that always picks the first answer: pure position bias. */
const prefersFirst: AskJudge = async () => ({ answer: 'A', error: null, cached: false });

describe('judgePairwise', () => {
  it('randomizes the order per item with the seed, the same way every time', async () => {
    const first = await judgePairwise(items, outputs, prefersTeacher, options);
    const again = await judgePairwise(items, outputs, prefersTeacher, options);
    const studentFirst = first.filter((judgment) => judgment.first === 'student').length;
    expect(studentFirst).toBeGreaterThan(10);
    expect(studentFirst).toBeLessThan(30);
    expect(again.map((judgment) => judgment.first)).toEqual(first.map((judgment) => judgment.first));
    const other = await judgePairwise(items, outputs, prefersTeacher, { ...options, seed: 8 });
    expect(other.map((judgment) => judgment.first)).not.toEqual(first.map((judgment) => judgment.first));
    // A judge with no position bias gives the same outcome whatever the order.
    expect(first.every((judgment) => judgment.outcome === 'loss')).toBe(true);
  });

  it('judges the first both_orders items of the sample twice, swapped, which exposes a position-biased judge', async () => {
    const judgments = await judgePairwise(items, outputs, prefersFirst, { ...options, sample: 10, bothOrders: 4 });
    expect(judgments).toHaveLength(14);
    const swapped = judgments.filter((judgment) => judgment.swapped);
    expect(swapped).toHaveLength(4);
    for (const judgment of swapped) {
      const original = judgments.find((candidate) => candidate.id === judgment.id && !candidate.swapped)!;
      expect(judgment.first).toBe(original.second);
      expect(judgment.outcome).not.toBe(original.outcome); // a first-position judge flips with the order
    }
  });

  it('identical answers are a tie without a call', async () => {
    let calls = 0;
    const counting: AskJudge = async () => ((calls += 1), { answer: 'A', error: null, cached: false });
    const judgments = await judgePairwise(items.slice(0, 2), { student: ['same', 'x'], teacher: [' same ', 'y'] }, counting, options);
    expect(judgments.find((judgment) => judgment.id === 'i0')).toMatchObject({ outcome: 'tie', identical: true });
    expect(calls).toBe(1);
  });
});
