import { describe, expect, it } from 'vitest';
import { exactMatch, normalizeForExactMatch } from './exact-match.js';

describe('exact match', () => {
  it('ignores case, spacing and punctuation tokenization by default', () => {
    expect(normalizeForExactMatch("  I do n't   KNOW , really .")).toBe("i don't know, really.");
    expect(normalizeForExactMatch('He said “hi”.')).toBe(normalizeForExactMatch("He said `` hi '' ."));
  });

  it('can keep case and spacing, or drop punctuation', () => {
    expect(normalizeForExactMatch('A  b .', { ignoreCase: false, collapseWhitespace: false, normalizePunctuationSpacing: false })).toBe('A  b .');
    expect(normalizeForExactMatch('Yes, sir!', { removePunctuation: true })).toBe('yes sir');
  });

  it('counts an item as matched when any reference matches', () => {
    const result = exactMatch(['Paris .', 'berlin', 'Rome'], [['paris.', 'Bonn', 'Milan'], ['Lyon', 'Berlin', 'Naples']]);
    expect(result).toEqual({ metric: 'exact', score: 2 / 3, matches: 2, total: 3, perItem: [true, true, false] });
  });

  it('scores an empty corpus as 0 and rejects misaligned input', () => {
    expect(exactMatch([], [[]]).score).toBe(0);
    expect(() => exactMatch(['a'], [['a', 'b']])).toThrow(/1 hypotheses, references 2/);
  });
});
