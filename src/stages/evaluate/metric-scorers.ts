import { corpusBleu } from './metrics/bleu.js';
import { corpusChrf } from './metrics/chrf.js';
import { classificationReport } from './metrics/classification.js';
import { exactMatch } from './metrics/exact-match.js';
import { corpusGleu } from './metrics/gleu.js';
import { tokenizeLikeJfleg } from './metrics/jfleg-tokenization.js';
import { corpusRougeL } from './metrics/rouge-l.js';
import type { EvaluateConfig } from './evaluate-config.js';
import type { EvaluationItem } from './evaluation-item.js';

/**
 * One metric of one model, in a form the statistics can resample: `score(indices)` recomputes it on any
 * multiset of items (a bootstrap resample); proportions also give their per-item successes. Values are 0..1.
 */
export interface ModelMetric {
  name: string;
  perItem: boolean[] | undefined;
  score: (indices: readonly number[]) => number;
  signature: string | undefined;
}

export interface ScorerInputs {
  items: readonly EvaluationItem[];
  config: EvaluateConfig;
  /** Per item, the reference judge's validity (reference_match_then_judge). */
  validity: boolean[] | undefined;
}

const pick = <T>(values: readonly T[], indices: readonly number[]): T[] => indices.map((index) => values[index]!);

/** References as the metrics take them: one array per reference slot; items with fewer reuse their first. */
export function referenceSets(references: readonly (readonly string[])[]): string[][] {
  const slots = Math.max(1, ...references.map((entry) => entry.length));
  return Array.from({ length: slots }, (_, slot) => references.map((entry) => entry[slot] ?? entry[0] ?? ''));
}

/** Bootstrap resamples are drawn again for each comparison with the same seed: a corpus metric is computed once per resample. */
function memoizedByIndices(score: (indices: readonly number[]) => number): (indices: readonly number[]) => number {
  const cache = new Map<string, number>();
  return (indices) => {
    const key = indices.join(',');
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = score(indices)));
    return value;
  };
}

function corpus(name: string, score: (indices: readonly number[]) => number, signature: string | undefined): ModelMetric {
  return { name, perItem: undefined, signature, score: memoizedByIndices(score) };
}

function proportion(name: string, perItem: boolean[], signature?: string): ModelMetric {
  return { name, perItem, signature, score: (indices) => indices.reduce((total, index) => total + (perItem[index] ? 1 : 0), 0) / Math.max(1, indices.length) };
}

/** The configured metrics for one model's outputs (aligned with `items`). `accuracy` also brings `macro_f1`. */
export function metricsFor(outputs: readonly string[], inputs: ScorerInputs): ModelMetric[] {
  const { items, config } = inputs;
  const references = referenceSets(items.map((item) => item.references));
  const all = items.map((_, index) => index);
  const metrics: ModelMetric[] = [];
  for (const metric of config.metrics) {
    if (metric === 'exact_match') {
      metrics.push(proportion(metric, exactMatch(outputs, references, { ignoreCase: false }).perItem, 'exact|case:yes|nfkc|punct-spacing:normalized'));
    } else if (metric === 'reference_match_then_judge') {
      metrics.push(proportion(metric, inputs.validity ?? items.map(() => false)));
    } else if (metric === 'accuracy') {
      const gold = items.map((item) => item.label ?? '');
      const predicted = outputs.map((output) => output.trim());
      const labels = [...new Set(gold)].sort();
      metrics.push(proportion(metric, predicted.map((label, index) => label === gold[index])));
      metrics.push(corpus('macro_f1', (indices) => classificationReport(pick(predicted, indices), pick(gold, indices), { labels }).macroF1, undefined));
    } else if (metric === 'gleu') {
      const sources = items.map((item) => item.original.input);
      const originalReferences = referenceSets(items.map((item) => item.original.references));
      const hypotheses = config.tokenize_for_gleu === 'jfleg' ? outputs.map(tokenizeLikeJfleg) : [...outputs];
      const gleu = (indices: readonly number[]): number => corpusGleu(pick(sources, indices), originalReferences.map((set) => pick(set, indices)), pick(hypotheses, indices)).mean;
      metrics.push(corpus(metric, gleu, `GLEU|gleu.py|nrefs:${originalReferences.length}|iter:500|py:2|tok:${config.tokenize_for_gleu}`));
    } else {
      const sacrebleu = metric === 'bleu' ? corpusBleu : metric === 'chrf' ? corpusChrf : undefined;
      if (sacrebleu) {
        const run = (indices: readonly number[]) => sacrebleu(pick(outputs, indices), references.map((set) => pick(set, indices)));
        metrics.push(corpus(metric, (indices) => run(indices).score / 100, run(all.slice(0, 1)).signature));
      } else {
        metrics.push(corpus(metric, (indices) => corpusRougeL(pick(outputs, indices), references.map((set) => pick(set, indices))).score, 'rouge_score|rougeL|f1'));
      }
    }
  }
  return metrics;
}
