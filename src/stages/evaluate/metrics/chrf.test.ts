import { describe, expect, it } from 'vitest';
import { corpusChrf } from './chrf.js';
import { sacrebleuFixture } from './sacrebleu-fixture.test-helper.js';

const runs = sacrebleuFixture.cases.flatMap((recorded) =>
  recorded.chrf.map((expected) => ({ ...expected, name: `${recorded.name} ${JSON.stringify(expected.options)}`, recorded })),
);

describe('corpusChrf against recorded sacrebleu output', () => {
  it.each(runs)('$name', ({ recorded, options, score, signature }) => {
    const result = corpusChrf(recorded.hypotheses, recorded.references, options);
    expect(result.signature).toBe(signature);
    expect(result.score).toBe(score);
  });
});
