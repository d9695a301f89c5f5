import { describe, expect, it } from 'vitest';
import { parsePairwiseVerdict, parseValidityVerdict } from './judge-verdict.js';

describe('judge verdicts', () => {
  it.each([
    ['VALID', 'valid'],
    ['The correction is fine.\n\nVerdict: **Valid**.', 'valid'],
    ['invalid', 'invalid'],
    ['INVALID\n', 'invalid'],
    ['VALID or INVALID', 'unparsable'],
    ['It is valid', 'unparsable'],
    ['', 'unparsable'],
    ['The edit is right.\n\n**Verdict:** VALID', 'valid'],
    ['**Verdict: INVALID**', 'invalid'],
    ['### Verdict: VALID', 'valid'],
    ['**Verdict:** INVALID\n\nThe prediction drops a word the references keep.', 'invalid'],
    ['The prediction looks valid at first.\nIt is not.', 'unparsable'],
  ])('validity %j → %s', (reply, expected) => {
    expect(parseValidityVerdict(reply)).toBe(expected);
  });

  it.each([
    ['A', 'first'],
    ['Answer B is better.\nB', 'second'],
    ['Final answer: TIE', 'tie'],
    ['Both', 'unparsable'],
    ['**Answer:** A', 'first'],
    ['**Answer: B**\nB keeps the meaning.', 'second'],
  ])('pairwise %j → %s', (reply, expected) => {
    expect(parsePairwiseVerdict(reply)).toBe(expected);
  });
});
