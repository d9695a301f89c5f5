import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../errors.js';
import { buildFilters } from '../build-filters.js';
import { runCuration } from '../run-curation.js';
import { makeRecord } from '../test-records.js';

const TRACE = 'Seven times six: 7 * 6 = 42, and 42 + 8 = 50.';

const records = [
  makeRecord('good', 'What is 7*6+8?', '50', { reasoning: TRACE, fields: { gold: '50' } }),
  makeRecord('no-trace', 'What is 2+2?', '4', { reasoning: null, fields: { gold: '4' } }),
  makeRecord('blank-trace', 'What is 3+3?', '6', { reasoning: '  \n ', fields: { gold: '6' } }),
  makeRecord('short', 'What is 1+1?', '2', { reasoning: 'Easy.', fields: { gold: '2' } }),
  makeRecord('long', 'What is 9+9?', '18', { reasoning: `${'step '.repeat(60)}so 18.`, fields: { gold: '18' } }),
  makeRecord('wrong', 'What is 5*5?', '30', { reasoning: 'Five fives are 5 + 5 + 5 + 5 + 5 = 30.', fields: { gold: '25' } }),
  makeRecord('formatted', 'What is 1000+234?', 'The answer is 1,234.', { reasoning: 'One thousand plus 234 gives 1234 in total.', fields: { gold: 1234 } }),
  makeRecord('no-gold', 'Explain zero.', 'Nothing.', { reasoning: 'Zero is the additive identity of the integers.' }),
];

async function curate(options: unknown) {
  const { filters, order } = await buildFilters([{ reasoning: options }], { configDirectory: '.' });
  return runCuration(records, filters, { order });
}

describe('reasoning (curate step for traces)', () => {
  it('drops rows without a trace, traces outside the word bounds and wrong final answers, each with its reason in the funnel', async () => {
    const result = await curate({ words: [3, 40], answer: { field: 'gold', match: 'number', pattern: '(-?[\\d,.]+)\\.?$' } });
    expect(result.kept.map((record) => record.id)).toEqual(['good', 'formatted', 'no-gold']);
    const reasons = Object.fromEntries(result.dropped.map((entry) => [entry.record.id, entry.reason]));
    expect(reasons).toEqual({ 'no-trace': 'no_reasoning', 'blank-trace': 'no_reasoning', short: 'reasoning_length', long: 'reasoning_length', wrong: 'wrong_answer' });
    expect(result.dropped.find((entry) => entry.record.id === 'short')?.detail).toEqual({ measure: 'words', value: 1, min: 3, max: 40 });
    expect(result.dropped.find((entry) => entry.record.id === 'wrong')?.detail).toEqual({ expected: '25', got: '30' });
    expect(result.funnel).toMatchObject({ raw: 8, kept: 3, steps: [{ filter: 'reasoning', kept: 3, dropped: 5, report: { answers_without_gold: 1 } }] });
    expect(Object.keys(result.funnel.examples).sort()).toEqual(['no_reasoning', 'reasoning_length', 'wrong_answer']);
  });

  it('matches answers exactly or normalized, bounds traces in tokens, and keeps traceless rows when told to', async () => {
    const exact = await curate({ require: false, answer: { field: 'gold', match: 'exact' } });
    // '1,234.' is not '1234' exactly; the traceless rows stay (require: false) and their answers are right.
    expect(exact.kept.map((record) => record.id)).toEqual(['good', 'no-trace', 'blank-trace', 'short', 'long', 'no-gold']);
    const tokens = await curate({ tokens: [null, 12] });
    expect(tokens.dropped.map((entry) => [entry.record.id, entry.reason])).toEqual([
      ['no-trace', 'no_reasoning'],
      ['blank-trace', 'no_reasoning'],
      ['long', 'reasoning_length'],
    ]);
    const unmatched = await curate({ answer: { field: 'gold', pattern: 'answer is (\\d+)' } });
    expect(unmatched.dropped.find((entry) => entry.record.id === 'good')?.detail).toEqual({ expected: '50', got: null, why: 'no match for /answer is (\\d+)/' });
  });

  it('stops when no row carries the gold field (inputs.keep_fields forgot it) instead of passing every row unchecked', async () => {
    const { filters } = await buildFilters([{ reasoning: { answer: { field: 'solution' } } }], { configDirectory: '.' });
    await expect(runCuration(records, filters)).rejects.toThrow(/reasoning\.answer\.field: no row carries 'solution'; add it to inputs\.keep_fields/);
  });

  it('names the entry of a bad option', async () => {
    await expect(buildFilters([{ reasoning: { answer: { field: 'gold', pattern: '(' } } }], { configDirectory: '.' })).rejects.toThrow(ConfigError);
    await expect(buildFilters([{ reasoning: { answer: { field: 'gold', pattern: '(' } } }], { configDirectory: '.' })).rejects.toThrow(/curate\.0\.reasoning\.answer\.pattern: not a valid regular expression/);
    await expect(buildFilters([{ reasoning: { chars: [1, 2] } }], { configDirectory: '.' })).rejects.toThrow(/curate\.0\.reasoning/);
  });
});
