/**
 * Corpus chrF as sacrebleu 2.x computes it by default: character n-grams of orders 1-6 with whitespace
 * removed, no word n-grams (chrF++ is wordOrder 2), beta 2, per sentence the reference with the best
 * F-score, statistics summed over the corpus, precision and recall averaged over the orders that occur
 * (sacrebleu's "effective order"), score on a 0-100 scale.
 */
import { checkAligned } from './check-aligned.js';
import { splitLikePython } from './python-whitespace.js';
import { formatSignature } from './sacrebleu-signature.js';

export interface ChrfOptions {
  charOrder?: number;
  wordOrder?: number;
  beta?: number;
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams. */
  whitespace?: boolean;
}

export interface ChrfResult {
  metric: 'chrf';
  /** 0 to 100. */
  score: number;
  signature: string;
}

type Counts = Map<string, number>;
// chrF++'s word splitter treats these (Python's string.punctuation) as detachable.
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): ChrfResult {
  const settings = {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    whitespace: options.whitespace ?? false,
  };
  checkAligned('chrF', hypotheses, references);
  const prepare = (sentence: string): Counts[] =>
    extractNgrams(options.lowercase ? sentence.toLowerCase() : sentence, settings.charOrder, settings.wordOrder, settings.whitespace);

  const totals = new Array<number>(3 * (settings.charOrder + settings.wordOrder)).fill(0);
  hypotheses.forEach((hypothesis, sentence) => {
    const hypothesisNgrams = prepare(hypothesis);
    let best: number[] = [];
    let bestScore = -1;
    for (const set of references) {
      const referenceNgrams = prepare(set[sentence]!);
      const statistics = hypothesisNgrams.flatMap((counts, order) => matchStatistics(counts, referenceNgrams[order]!));
      const score = fScore(statistics, settings.beta);
      if (score > bestScore) {
        bestScore = score;
        best = statistics;
      }
    }
    best.forEach((value, index) => (totals[index]! += value));
  });

  return {
    metric: 'chrf',
    score: fScore(totals, settings.beta),
    signature: formatSignature(references.length, [
      ['case', options.lowercase ? 'lc' : 'mixed'],
      ['eff', 'yes'],
      ['nc', settings.charOrder],
      ['nw', settings.wordOrder],
      ['space', settings.whitespace ? 'yes' : 'no'],
    ]),
  };
}

function extractNgrams(sentence: string, charOrder: number, wordOrder: number, whitespace: boolean): Counts[] {
  // Code points, as Python indexes strings; whitespace dropped entirely unless asked for.
  const characters = Array.from(whitespace ? sentence : splitLikePython(sentence, 3).join(''));
  const result: Counts[] = [];
  for (let order = 1; order <= charOrder; order++) result.push(count(characters, order, ''));
  const words = splitOffPunctuation(sentence);
  for (let order = 1; order <= wordOrder; order++) result.push(count(words, order, ' '));
  return result;
}

function count(items: readonly string[], order: number, separator: string): Counts {
  const counts: Counts = new Map();
  for (let start = 0; start + order <= items.length; start++) {
    const key = items.slice(start, start + order).join(separator);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** sacrebleu's `_remove_punctuation`: one leading or trailing punctuation mark becomes its own word. */
function splitOffPunctuation(sentence: string): string[] {
  return splitLikePython(sentence, 3).flatMap((word) => {
    const characters = Array.from(word);
    if (characters.length === 1) return [word];
    const last = characters[characters.length - 1]!;
    const first = characters[0]!;
    if (PUNCTUATION.has(last)) return [characters.slice(0, -1).join(''), last];
    if (PUNCTUATION.has(first)) return [first, characters.slice(1).join('')];
    return [word];
  });
}

/** [hypothesis n-grams (0 when the reference has none), reference n-grams, matches]. */
function matchStatistics(hypothesis: Counts, reference: Counts): number[] {
  let matches = 0;
  let hypothesisTotal = 0;
  for (const [ngram, count] of hypothesis) {
    hypothesisTotal += count;
    const referenceCount = reference.get(ngram);
    if (referenceCount !== undefined) matches += Math.min(count, referenceCount);
  }
  let referenceTotal = 0;
  for (const count of reference.values()) referenceTotal += count;
  return [reference.size > 0 ? hypothesisTotal : 0, referenceTotal, matches];
}

/** sacrebleu's `_compute_f_score` without epsilon smoothing: averages over orders seen on both sides. */
function fScore(statistics: readonly number[], beta: number): number {
  const factor = beta ** 2;
  let precisionSum = 0;
  let recallSum = 0;
  let effectiveOrder = 0;
  for (let index = 0; index + 2 < statistics.length; index += 3) {
    const [hypothesisTotal, referenceTotal, matches] = statistics.slice(index, index + 3) as [number, number, number];
    if (hypothesisTotal > 0 && referenceTotal > 0) {
      precisionSum += matches / hypothesisTotal;
      recallSum += matches / referenceTotal;
      effectiveOrder++;
    }
  }
  const precision = effectiveOrder === 0 ? 0 : precisionSum / effectiveOrder;
  const recall = effectiveOrder === 0 ? 0 : recallSum / effectiveOrder;
  if (precision + recall === 0) return 0;
  // Same operation order as sacrebleu, so the last bit agrees too.
  const score = ((1 + factor) * precision * recall) / (factor * precision + recall);
  return 100 * score;
}
