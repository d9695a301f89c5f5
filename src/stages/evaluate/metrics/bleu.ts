/**
 * Corpus BLEU as sacrebleu 2.x computes it by default: 13a tokenization, n-grams up to 4 clipped by the
 * maximum count over references, brevity penalty against the closest reference length (shorter on ties),
 * exponential (NIST) smoothing of zero-match orders, score on a 0-100 scale.
 */
import { checkAligned } from './check-aligned.js';
import { countNgrams, type NgramCounts } from './ngrams.js';
import { rstripLikePython, splitLikePython } from './python-whitespace.js';
import { roundedExp, roundedLog } from './rounded-math.js';
import { formatSignature } from './sacrebleu-signature.js';
import { tokenize13a } from './tokenizer-13a.js';

export type BleuSmoothing = 'exp' | 'none' | 'floor' | 'add-k';

export interface BleuOptions {
  lowercase?: boolean;
  /** '13a' (default) or 'none' for text already tokenized. */
  tokenize?: '13a' | 'none';
  smoothing?: BleuSmoothing;
  /** For 'floor' (default 0.1) and 'add-k' (default 1). */
  smoothValue?: number;
  /** Leave out orders from the first one that has no n-grams at all (sacrebleu's effective_order). */
  effectiveOrder?: boolean;
  maxOrder?: number;
}

export interface BleuResult {
  metric: 'bleu';
  /** 0 to 100. */
  score: number;
  counts: number[];
  totals: number[];
  precisions: number[];
  brevityPenalty: number;
  hypothesisLength: number;
  referenceLength: number;
  signature: string;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number | undefined> = { none: undefined, floor: 0.1, 'add-k': 1, exp: undefined };

/** `references` holds one array per reference file, each aligned with `hypotheses`. */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  const maxOrder = options.maxOrder ?? 4;
  const smoothing = options.smoothing ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothing];
  checkAligned('BLEU', hypotheses, references);
  const preprocess = (sentence: string): string[] => {
    const cased = options.lowercase ? sentence.toLowerCase() : sentence;
    const trimmed = rstripLikePython(cased);
    return splitLikePython(options.tokenize === 'none' ? trimmed : tokenize13a(trimmed), 3);
  };

  let hypothesisLength = 0;
  let referenceLength = 0;
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  hypotheses.forEach((hypothesis, sentence) => {
    const hypothesisTokens = preprocess(hypothesis);
    const referenceTokens = references.map((set) => preprocess(set[sentence]!));
    hypothesisLength += hypothesisTokens.length;
    referenceLength += closestLength(hypothesisTokens.length, referenceTokens.map((tokens) => tokens.length));
    for (let order = 1; order <= maxOrder; order++) {
      const maxReferenceCounts: NgramCounts = new Map();
      for (const tokens of referenceTokens) {
        for (const [ngram, count] of countNgrams(tokens, order)) {
          maxReferenceCounts.set(ngram, Math.max(maxReferenceCounts.get(ngram) ?? 0, count));
        }
      }
      for (const [ngram, count] of countNgrams(hypothesisTokens, order)) {
        totals[order - 1]! += count;
        counts[order - 1]! += Math.min(count, maxReferenceCounts.get(ngram) ?? 0);
      }
    }
  });

  const scored = bleuFromStatistics(counts, totals, hypothesisLength, referenceLength, {
    smoothing,
    smoothValue,
    effectiveOrder: options.effectiveOrder ?? false,
  });
  const smoothLabel = smoothValue === undefined ? smoothing : `${smoothing}[${smoothValue.toFixed(2)}]`;
  return {
    metric: 'bleu',
    ...scored,
    hypothesisLength,
    referenceLength,
    signature: formatSignature(references.length, [
      ['case', options.lowercase ? 'lc' : 'mixed'],
      ['eff', options.effectiveOrder ? 'yes' : 'no'],
      ['tok', options.tokenize ?? '13a'],
      ['smooth', smoothLabel],
    ]),
  };
}

/** sacrebleu's `_get_closest_ref_len`: nearest length, the shorter one on ties. */
function closestLength(hypothesisLength: number, referenceLengths: readonly number[]): number {
  let best = -1;
  let bestDifference = -1;
  for (const length of referenceLengths) {
    const difference = Math.abs(hypothesisLength - length);
    if (bestDifference === -1 || difference < bestDifference || (difference === bestDifference && length < best)) {
      best = length;
      bestDifference = difference;
    }
  }
  return best;
}

/** sacrebleu's `BLEU.compute_bleu` from summed statistics. */
function bleuFromStatistics(
  matched: readonly number[],
  possible: readonly number[],
  hypothesisLength: number,
  referenceLength: number,
  options: { smoothing: BleuSmoothing; smoothValue: number | undefined; effectiveOrder: boolean },
): Pick<BleuResult, 'score' | 'counts' | 'totals' | 'precisions' | 'brevityPenalty'> {
  const counts = [...matched];
  const totals = [...possible];
  let brevityPenalty = 1;
  if (hypothesisLength < referenceLength) {
    brevityPenalty = hypothesisLength > 0 ? roundedExp(1 - referenceLength / hypothesisLength) : 0;
  }
  const precisions = new Array<number>(counts.length).fill(0);
  if (!counts.some((count) => count !== 0)) return { score: 0, counts, totals, precisions, brevityPenalty };

  let mtevalSmoothing = 1;
  let effectiveOrder = counts.length;
  for (let order = 1; order <= counts.length; order++) {
    const index = order - 1;
    if (options.smoothing === 'add-k' && order > 1) {
      counts[index]! += options.smoothValue!;
      totals[index]! += options.smoothValue!;
    }
    if (totals[index] === 0) break;
    if (options.effectiveOrder) effectiveOrder = order;
    if (counts[index] === 0) {
      if (options.smoothing === 'exp') {
        mtevalSmoothing *= 2;
        precisions[index] = 100 / (mtevalSmoothing * totals[index]!);
      } else if (options.smoothing === 'floor') {
        precisions[index] = (100 * options.smoothValue!) / totals[index]!;
      }
    } else {
      precisions[index] = (100 * counts[index]!) / totals[index]!;
    }
  }
  let logSum = 0;
  // sacrebleu floors log(0) at -9999999999 rather than -Infinity.
  for (const precision of precisions.slice(0, effectiveOrder)) logSum += precision === 0 ? -9999999999 : roundedLog(precision);
  const score = brevityPenalty * roundedExp(logSum / effectiveOrder);
  return { score, counts, totals, precisions, brevityPenalty };
}
