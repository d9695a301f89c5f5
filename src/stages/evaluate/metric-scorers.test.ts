import { describe, expect, it } from 'vitest';
import { evaluateConfigSchema } from './evaluate-config.js';
import type { EvaluationItem } from './evaluation-item.js';
import { metricsFor, referenceSets } from './metric-scorers.js';
import { corpusBleu } from './metrics/bleu.js';

const item = (id: string, input: string, references: string[], label?: string): EvaluationItem => ({ id, input, references, label, original: { input, references }, strata: {} });
const configWith = (metrics: string[], data: Record<string, unknown>) => evaluateConfigSchema.parse({ data: { path: 'x.jsonl', ...data }, models: { student: { from: 'train' } }, metrics });

describe('metricsFor', () => {
  it('accuracy per item, with macro-F1 recomputable on any resample', () => {
    const items = [item('1', 'a', [], 'pos'), item('2', 'b', [], 'neg'), item('3', 'c', [], 'neg'), item('4', 'd', [], 'pos')];
    const [accuracy, macro] = metricsFor([' pos ', 'pos', 'neg', 'maybe'], { items, config: configWith(['accuracy'], { label: 'label' }), validity: undefined });
    expect(accuracy?.perItem).toEqual([true, false, true, false]);
    expect(accuracy?.score([0, 1, 2, 3])).toBe(0.5);
    expect(accuracy?.score([0, 0, 2])).toBe(1);
    // pos: precision 1/2, recall 1/2 → F1 0.5; neg: precision 1, recall 1/2 → F1 2/3.
    expect(macro?.name).toBe('macro_f1');
    expect(macro?.score([0, 1, 2, 3])).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
  });

  it('BLEU on a 0..1 scale with its sacrebleu signature; references padded per slot', () => {
    const items = [item('1', 'x', ['the cat sat on the mat', 'a cat sat on the mat']), item('2', 'y', ['he goes home now'])];
    const outputs = ['the cat sat on the mat', 'he went home now'];
    const [bleu] = metricsFor(outputs, { items, config: configWith(['bleu'], { references: 'r' }), validity: undefined });
    const expected = corpusBleu(outputs, referenceSets(items.map((entry) => entry.references)));
    expect(bleu?.score([0, 1])).toBeCloseTo(expected.score / 100, 12);
    expect(bleu?.signature).toBe(expected.signature);
    expect(referenceSets([['a', 'b'], ['c']])).toEqual([['a', 'c'], ['b', 'c']]);
  });
});
