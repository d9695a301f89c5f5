import { describe, expect, it } from 'vitest';
import { parseGeneratedList } from './parse-generated-list.js';

describe('parseGeneratedList', () => {
  it('reads numbered and bulleted lists, joining continuation lines', () => {
    const answer = 'Here you go:\n1. Translate "cat" to French.\n2) Summarize this paragraph:\n   The sun is hot.\n- Instruction: List three primes.\n\nHope this helps!';
    expect(parseGeneratedList(answer)).toEqual(['Translate "cat" to French.', 'Summarize this paragraph:\nThe sun is hot.', 'List three primes.']);
  });

  it('reads JSON arrays of strings or objects', () => {
    expect(parseGeneratedList('```json\n["a b c", "d e f"]\n```')).toEqual(['a b c', 'd e f']);
    expect(parseGeneratedList('[{"instruction": "x y"}, {"input": "z"}, {"other": 1}]')).toEqual(['x y', 'z']);
  });

  it('returns nothing for prose', () => {
    expect(parseGeneratedList('I cannot think of any.')).toEqual([]);
  });
});
