/**
 * ROUGE-L (Lin 2004): longest common subsequence of tokens, precision over the hypothesis, recall over the
 * reference, F-measure. Tokenized as Google's rouge_score does by default (lowercase, runs of anything but
 * a-z0-9 separate tokens, no stemming); with several references the one with the best F counts, as in
 * rouge_score's `score_multi`. The corpus figure is the mean of the sentence figures.
 */
import { checkAligned } from './check-aligned.js';

export interface RougeLScore {
  precision: number;
  recall: number;
  f: number;
}

export interface RougeLOptions {
  /** Replaces the rouge_score tokenizer. */
  tokenize?: (text: string) => string[];
  /** Weight of recall against precision; 1 (default) is rouge_score's F1. */
  beta?: number;
}

export interface CorpusRougeLResult extends RougeLScore {
  metric: 'rouge-l';
  /** Mean F over sentences, 0 to 1; `precision`, `recall` and `f` are means too. */
  score: number;
  sentences: RougeLScore[];
}

export function rougeScoreTokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((token) => token !== '');
}

export function sentenceRougeL(hypothesis: string, references: string | readonly string[], options: RougeLOptions = {}): RougeLScore {
  const tokenize = options.tokenize ?? rougeScoreTokenize;
  const beta = options.beta ?? 1;
  const hypothesisTokens = tokenize(hypothesis);
  let best: RougeLScore | undefined;
  for (const reference of typeof references === 'string' ? [references] : references) {
    const referenceTokens = tokenize(reference);
    const common = longestCommonSubsequence(hypothesisTokens, referenceTokens);
    const precision = hypothesisTokens.length === 0 ? 0 : common / hypothesisTokens.length;
    const recall = referenceTokens.length === 0 ? 0 : common / referenceTokens.length;
    const f = precision + recall === 0 ? 0 : ((1 + beta ** 2) * precision * recall) / (recall + beta ** 2 * precision);
    if (best === undefined || f > best.f) best = { precision, recall, f };
  }
  return best ?? { precision: 0, recall: 0, f: 0 };
}

/** `references` holds one array per reference set, each aligned with `hypotheses`. */
export function corpusRougeL(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: RougeLOptions = {},
): CorpusRougeLResult {
  checkAligned('ROUGE-L', hypotheses, references);
  const sentences = hypotheses.map((hypothesis, index) =>
    sentenceRougeL(
      hypothesis,
      references.map((set) => set[index]!),
      options,
    ),
  );
  const mean = (pick: (score: RougeLScore) => number) =>
    sentences.length === 0 ? 0 : sentences.reduce((total, score) => total + pick(score), 0) / sentences.length;
  const f = mean((score) => score.f);
  return { metric: 'rouge-l', score: f, precision: mean((score) => score.precision), recall: mean((score) => score.recall), f, sentences };
}

/** Length of the longest common subsequence, in O(n*m) time and O(m) memory. */
export function longestCommonSubsequence(left: readonly string[], right: readonly string[]): number {
  let previous = new Array<number>(right.length + 1).fill(0);
  for (const item of left) {
    const current = new Array<number>(right.length + 1).fill(0);
    for (let j = 1; j <= right.length; j++) {
      current[j] = item === right[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  return previous[right.length]!;
}
