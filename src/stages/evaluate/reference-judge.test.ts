import { describe, expect, it } from 'vitest';
import type { EvaluationItem } from './evaluation-item.js';
import type { AskJudge } from './judge-asker.js';
import { DEFAULT_VALIDITY_PROMPT } from './judge-prompts.js';
import { decideByReference } from './reference-decision.js';
import { judgeAgainstReferences } from './reference-judge.js';

const item = (id: string, input: string, references: string[]): EvaluationItem => ({ id, input, references, label: undefined, original: { input, references }, strata: {} });

describe('decideByReference (the decision table)', () => {
  const references = ['He goes home.', 'He went home.'];
  it.each([
    ['a reference, modulo whitespace', '  He  goes home. ', { decision: 'valid', source: 'reference_match' }],
    ['the unchanged input', 'He go home.', { decision: 'invalid', source: 'unchanged_input' }],
    ['an empty output (failed request)', '   ', { decision: 'invalid', source: 'empty_output' }],
    ['anything else', 'He is going home.', { decision: 'judge' }],
    ['a case change (case counts)', 'he goes home.', { decision: 'judge' }],
  ])('%s', (_, prediction, expected) => {
    expect(decideByReference('He go home.', references, prediction)).toEqual(expected);
  });

  it('an unchanged input is valid when a reference leaves the input unchanged', () => {
    expect(decideByReference('He goes home.', ['He goes home.', 'He is going home.'], 'He goes home.')).toEqual({ decision: 'valid', source: 'reference_match' });
  });
});

describe('judgeAgainstReferences', () => {
  const items = [item('1', 'He go home.', ['He goes home.']), item('2', 'She like it.', ['She likes it.']), item('3', 'They was there.', ['They were there.'])];

  it('judges each distinct (input, prediction) once across models, counts unparsable as invalid and lists them', async () => {
    const prompts: string[] = [];
    const ask: AskJudge = async (prompt) => {
      prompts.push(prompt);
      if (prompt.includes('She is liking it.')) return { answer: 'Looks fine.\nVALID', error: null, cached: false };
      if (prompt.includes('They be there.')) return { answer: 'I cannot decide', error: null, cached: false };
      return { answer: '**INVALID**', error: null, cached: false };
    };
    const outcome = await judgeAgainstReferences(
      items,
      {
        student: ['He goes home.', 'She is liking it.', 'They be there.'], // match, judge (valid), judge (unparsable)
        teacher: ['He go home.', 'She is liking it.', 'They were there.'], // unchanged, duplicate of student's, match
        base: ['', 'She liked it.', 'They be there.'], //                       empty, judge (invalid), duplicate
      },
      ask,
      { template: DEFAULT_VALIDITY_PROMPT, workers: 2, signal: new AbortController().signal },
    );
    expect(outcome.validity).toEqual({ student: [true, true, false], teacher: [false, true, true], base: [false, false, false] });
    expect(prompts).toHaveLength(3);
    expect(outcome.judgeCalls).toEqual({ needed: 3, saved: 6, by_reference_match: 2, by_unchanged_input: 1, by_empty_output: 1, by_deduplication: 2 });
    expect(outcome.unparsable).toEqual([{ input: 'They was there.', prediction: 'They be there.', reply: 'I cannot decide', error: null }]);
    const shared = outcome.judgments.find((judgment) => judgment.prediction === 'She is liking it.');
    expect(shared?.predictions).toEqual([{ model: 'student', id: '2' }, { model: 'teacher', id: '2' }]);
    expect(prompts[0]).toContain('Reference answers (any of them is correct; others may be correct too):\n1. She likes it.');
  });

  it('judges the same input and prediction apart when the references differ', async () => {
    const prompts: string[] = [];
    const ask: AskJudge = async (prompt) => {
      prompts.push(prompt);
      return { answer: prompt.includes('1. He goes home.') ? '**Verdict:** VALID' : '**Verdict: INVALID**', error: null, cached: false };
    };
    const twins = [item('a', 'He go home.', ['He goes home.']), item('b', 'He go home.', ['He is going to his house.'])];
    const outcome = await judgeAgainstReferences(twins, { student: ['He is home.', 'He is home.'] }, ask, { template: DEFAULT_VALIDITY_PROMPT, workers: 1, signal: new AbortController().signal });
    expect(prompts).toHaveLength(2);
    expect(outcome.validity.student).toEqual([true, false]);
    expect(outcome.judgeCalls).toMatchObject({ needed: 2, by_deduplication: 0 });
    expect(outcome.unparsable).toEqual([]);
  });

  it('a failed judge call is invalid and listed with its error', async () => {
    const ask: AskJudge = async () => ({ answer: '', error: 'HTTP 500', cached: false });
    const outcome = await judgeAgainstReferences([items[0]!], { student: ['He is home.'] }, ask, { template: DEFAULT_VALIDITY_PROMPT, workers: 1, signal: new AbortController().signal });
    expect(outcome.validity.student).toEqual([false]);
    expect(outcome.unparsable[0]?.error).toBe('HTTP 500');
  });
});
