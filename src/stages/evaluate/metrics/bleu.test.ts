import { describe, expect, it } from 'vitest';
import { corpusBleu } from './bleu.js';
import { MetricInputError } from './metric-input-error.js';
import { sacrebleuFixture } from './sacrebleu-fixture.test-helper.js';

const runs = sacrebleuFixture.cases.flatMap((recorded) =>
  recorded.bleu.map((expected) => ({ ...expected, name: `${recorded.name} ${JSON.stringify(expected.options)}`, recorded })),
);

describe('corpusBleu against recorded sacrebleu output', () => {
  it.each(runs)('$name', ({ recorded, options, signature, ...expected }) => {
    const result = corpusBleu(recorded.hypotheses, recorded.references, options);
    expect(result.signature).toBe(signature);
    expect(result).toMatchObject({
      counts: expected.counts,
      totals: expected.totals,
      hypothesisLength: expected.hypothesisLength,
      referenceLength: expected.referenceLength,
    });
    expect(result.brevityPenalty).toBe(expected.brevityPenalty);
    expect(result.score).toBe(expected.score);
  });

  it('rejects reference sets of another length', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(MetricInputError);
    expect(() => corpusBleu(['a'], [])).toThrow(/at least one reference/);
  });
});
