/**
 * GLEU as JFLEG's official eval/gleu.py computes it (Napoles et al. 2015, multi-reference update of 2016):
 * for each of 500 iterations j, `random.seed(j * 101)` and one reference drawn per sentence with
 * `random.randint`; corpus statistics summed over sentences; the mean, numpy std and scipy normal 95%
 * interval over iterations, printed as gleu.py prints them.
 *
 * The script is Python 2 and its published figures (JFLEG README: source 40.54 test, 38.21 dev) come
 * from Python 2's `randint`, which draws differently from Python 3's: `pythonVersion` picks which.
 */
import { checkAligned } from './check-aligned.js';
import { MetricInputError } from './metric-input-error.js';
import { clippedOverlap, countNgrams, type NgramCounts } from './ngrams.js';
import { numpyMean, numpyStd } from './numpy-statistics.js';
import { formatFixed } from './python-format.js';
import { PythonRandom, type PythonVersion } from './python-random.js';
import { splitLikePython } from './python-whitespace.js';
import { roundedExp, roundedLog } from './rounded-math.js';

const ORDER = 4;
// scipy.stats.norm.interval(0.95) endpoints, as scipy returns them (same under scipy 1.2 and 1.x).
const NORMAL_95_LOW = -1.959963984540054;
const NORMAL_95_HIGH = 1.959963984540054;

export interface GleuOptions {
  /** gleu.py's `--iter`; default 500. */
  iterations?: number;
  /** Whose `randint` draws the references; default 2, the interpreter the published figures came from. */
  pythonVersion?: PythonVersion;
}

export interface GleuSummary {
  mean: number;
  std: number;
  /** Normal 95% interval; null where scipy returns nan (a zero std). */
  ci95: [number, number] | null;
  /** The strings gleu.py prints: '%f' mean, '%f' std, '(%.3f,%.3f)' interval. */
  printed: { mean: string; std: string; ci95: string };
}

export interface CorpusGleuResult extends GleuSummary {
  iterations: number;
  pythonVersion: PythonVersion;
  sentences: number;
  references: number;
}

/** Sums over sentences: hypothesis length, reference length, then numerator and denominator for n = 1..4. */
type GleuStatistics = number[];

/**
 * Corpus GLEU. `references` holds one array per reference file, each aligned with `sources` and
 * `hypotheses`; every string is one already-tokenized sentence, split on whitespace like Python.
 */
export function corpusGleu(
  sources: readonly string[],
  references: readonly (readonly string[])[],
  hypotheses: readonly string[],
  options: GleuOptions = {},
): CorpusGleuResult {
  const iterations = options.iterations ?? 500;
  const pythonVersion = options.pythonVersion ?? 2;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new MetricInputError(`GLEU iterations must be a positive integer, got ${iterations}`);
  }
  const statisticsByReference = sentenceStatistics(sources, references, hypotheses, pythonVersion);

  const scores: number[] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    const generator = new PythonRandom(iteration * 101);
    const totals: GleuStatistics = new Array<number>(2 + 2 * ORDER).fill(0);
    for (const perReference of statisticsByReference) {
      const drawn = perReference[generator.randint(0, references.length - 1, pythonVersion)]!;
      drawn.forEach((value, index) => (totals[index]! += value));
    }
    scores.push(gleuFromStatistics(totals, false));
  }
  return {
    ...summarize(scores),
    iterations,
    pythonVersion,
    sentences: hypotheses.length,
    references: references.length,
  };
}

/**
 * gleu.py's `--sent` output: per sentence, the smoothed GLEU against each reference in turn, summarized.
 * No sampling is involved, so the Python version only changes how lines split into tokens.
 */
export function sentenceGleu(
  sources: readonly string[],
  references: readonly (readonly string[])[],
  hypotheses: readonly string[],
  options: Pick<GleuOptions, 'pythonVersion'> = {},
): GleuSummary[] {
  const statistics = sentenceStatistics(sources, references, hypotheses, options.pythonVersion ?? 2);
  return statistics.map((perReference) => summarize(perReference.map((stats) => gleuFromStatistics(stats, true))));
}

/** For each sentence, the statistics against each of its references. */
function sentenceStatistics(
  sources: readonly string[],
  references: readonly (readonly string[])[],
  hypotheses: readonly string[],
  pythonVersion: PythonVersion,
): GleuStatistics[][] {
  checkAligned('GLEU', hypotheses, references, sources);
  return hypotheses.map((hypothesis, sentence) => {
    const hypothesisTokens = splitLikePython(hypothesis, pythonVersion);
    const sourceTokens = splitLikePython(sources[sentence]!, pythonVersion);
    const hypothesisNgrams = ngramsByOrder(hypothesisTokens);
    const sourceNgrams = ngramsByOrder(sourceTokens);
    return references.map((set) => {
      const referenceTokens = splitLikePython(set[sentence]!, pythonVersion);
      const stats: GleuStatistics = [hypothesisTokens.length, referenceTokens.length];
      for (let order = 1; order <= ORDER; order++) {
        const hypothesisCounts = hypothesisNgrams[order - 1]!;
        const referenceCounts = countNgrams(referenceTokens, order);
        // Source n-grams the reference does not keep: producing them is penalized.
        const sourceOnly: NgramCounts = new Map(
          [...sourceNgrams[order - 1]!].filter(([ngram]) => !referenceCounts.has(ngram)),
        );
        const matched = clippedOverlap(hypothesisCounts, referenceCounts) - clippedOverlap(hypothesisCounts, sourceOnly);
        stats.push(Math.max(matched, 0), Math.max(hypothesisTokens.length + 1 - order, 0));
      }
      return stats;
    });
  });
}

function ngramsByOrder(tokens: readonly string[]): NgramCounts[] {
  return Array.from({ length: ORDER }, (_, index) => countNgrams(tokens, index + 1));
}

/** gleu.py's `gleu()`: 0 if any statistic is 0 (after sentence-level smoothing of zeros to 1). */
function gleuFromStatistics(statistics: readonly number[], smooth: boolean): number {
  const stats = smooth ? statistics.map((value) => (value === 0 ? 1 : value)) : statistics;
  if (stats.some((value) => value === 0)) return 0;
  const [hypothesisLength, referenceLength] = stats as [number, number];
  let logPrecisionSum = 0;
  for (let index = 2; index < stats.length; index += 2) logPrecisionSum += roundedLog(stats[index]! / stats[index + 1]!);
  const brevityPenalty = Math.min(0, 1 - referenceLength / hypothesisLength);
  return roundedExp(brevityPenalty + logPrecisionSum / ORDER);
}

function summarize(scores: readonly number[]): GleuSummary {
  const mean = numpyMean(scores);
  const std = numpyStd(scores);
  // scipy's interval is nan for a zero scale.
  const ci95: [number, number] | null = std > 0 ? [NORMAL_95_LOW * std + mean, NORMAL_95_HIGH * std + mean] : null;
  return {
    mean,
    std,
    ci95,
    printed: {
      mean: formatFixed(mean, 6),
      std: formatFixed(std, 6),
      ci95: ci95 ? `(${formatFixed(ci95[0], 3)},${formatFixed(ci95[1], 3)})` : '(nan,nan)',
    },
  };
}
