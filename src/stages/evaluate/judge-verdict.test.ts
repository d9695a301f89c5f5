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
  ])('validity %j → %s', (reply, expected) => {
    expect(parseValidityVerdict(reply)).toBe(expected);
  });

  it.each([
    ['A', 'first'],
    ['Answer B is better.\nB', 'second'],
    ['Final answer: TIE', 'tie'],
    ['Both', 'unparsable'],
  ])('pairwise %j → %s', (reply, expected) => {
    expect(parsePairwiseVerdict(reply)).toBe(expected);
  });
});
