import { describe, expect, it } from 'vitest';
import { corpusRougeL, longestCommonSubsequence, rougeScoreTokenize, sentenceRougeL } from './rouge-l.js';

// Recorded from Google's rouge_score 0.1.2 (Python 3.11): RougeScorer(['rougeL']).score_multi(references, hypothesis).
const recorded: { hypothesis: string; references: string[]; precision: number; recall: number; f: number }[] = [
  { hypothesis: 'The cat sat on the mat.', references: ['the cat was on the mat'], precision: 0.8333333333333334, recall: 0.8333333333333334, f: 0.8333333333333334 },
  { hypothesis: 'The cat sat on the mat.', references: ['the cat was on the mat', 'a cat sat'], precision: 0.8333333333333334, recall: 0.8333333333333334, f: 0.8333333333333334 },
  { hypothesis: 'Café naïve, 3-4 things!', references: ['cafe naive 3 4 things'], precision: 0.5, recall: 0.6, f: 0.5454545454545454 },
  { hypothesis: '', references: ['something'], precision: 0, recall: 0, f: 0 },
  { hypothesis: 'police killed the gunman', references: ['police kill the gunman', 'the gunman police killed'], precision: 0.75, recall: 0.75, f: 0.75 },
  { hypothesis: 'a b c d e f g', references: ['g f e d c b a'], precision: 0.14285714285714285, recall: 0.14285714285714285, f: 0.14285714285714285 },
  {
    hypothesis: 'Old and old machines has been replaced in the the factory .',
    references: ['Old machines have been replaced in the factory .', 'Older and older machines have been replaced by the factory .'],
    precision: 0.6363636363636364,
    recall: 0.875,
    f: 0.7368421052631579,
  },
];

describe('ROUGE-L', () => {
  it.each(recorded)('matches rouge_score for $hypothesis', ({ hypothesis, references, ...expected }) => {
    expect(sentenceRougeL(hypothesis, references)).toEqual(expected);
  });

  it('tokenizes as rouge_score does: lowercase, non-ASCII letters and punctuation split', () => {
    expect(rougeScoreTokenize("Café naïve, it's 3-4!")).toEqual(['caf', 'na', 've', 'it', 's', '3', '4']);
  });

  it('computes the LCS length', () => {
    expect(longestCommonSubsequence(['a', 'b', 'c', 'b', 'd', 'a', 'b'], ['b', 'd', 'c', 'a', 'b', 'a'])).toBe(4);
    expect(longestCommonSubsequence([], ['a'])).toBe(0);
  });

  it('averages sentence figures over the corpus and weights recall by beta', () => {
    const corpus = corpusRougeL(['the cat sat', 'x'], [['the cat sat', 'y'], ['a cat', 'x']]);
    expect(corpus.sentences.map((sentence) => sentence.f)).toEqual([1, 1]);
    expect(corpus).toMatchObject({ metric: 'rouge-l', score: 1, precision: 1, recall: 1, f: 1 });
    // P = 1/2, R = 1/4: F2 = 5PR / (4P + R) = 0.625 / 2.25.
    expect(sentenceRougeL('a b', 'a c d e', { beta: 2 }).f).toBeCloseTo(0.625 / 2.25, 15);
  });
});
