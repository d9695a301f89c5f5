import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeNeeding, sharedData } from '../../../../test/helpers/needs.js';
import { corpusGleu, sentenceGleu } from './gleu.js';
import { MetricInputError } from './metric-input-error.js';
import { splitFileLines } from './text-lines.js';

interface Printed {
  mean: string;
  std: string;
  ci95: string;
}
interface RecordedCase {
  name: string;
  sources: string[];
  references: string[][];
  hypothesis: string[];
  python2: Printed;
  python3: Printed;
  sentences: Printed[];
}
interface RecordedJflegRun {
  source: string;
  references: string[];
  hypothesis: string;
  python2: Printed;
  python3: Printed;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'metrics');
const small = JSON.parse(readFileSync(path.join(fixtures, 'gleu-recorded.json'), 'utf8')) as { cases: RecordedCase[] };
const jfleg = JSON.parse(readFileSync(path.join(fixtures, 'gleu-jfleg-recorded.json'), 'utf8')) as {
  runs: RecordedJflegRun[];
};

describe('corpusGleu against the recorded output of gleu.py', () => {
  it.each(small.cases)('$name', (recorded) => {
    for (const version of [2, 3] as const) {
      const result = corpusGleu(recorded.sources, recorded.references, recorded.hypothesis, { pythonVersion: version });
      expect(result.printed).toEqual(version === 2 ? recorded.python2 : recorded.python3);
    }
  });

  it.each(small.cases)('sentence level (--sent): $name', (recorded) => {
    const printed = sentenceGleu(recorded.sources, recorded.references, recorded.hypothesis).map((s) => s.printed);
    expect(printed).toEqual(recorded.sentences);
  });

  it('honours other iteration counts', () => {
    // gleu.py's --iter arrives as a string and breaks range(), so these came from Python 2.7.18 calling
    // GLEU().run_iterations(num_iterations=N, per_sent=False) directly on the first recorded case.
    const [first] = small.cases;
    const run = (iterations: number) => corpusGleu(first!.sources, first!.references, first!.hypothesis, { iterations }).printed;
    expect(run(1)).toEqual({ mean: '0.442507', std: '0.000000', ci95: '(nan,nan)' });
    expect(run(50)).toEqual({ mean: '0.697311', std: '0.114220', ci95: '(0.473,0.921)' });
  });

  it('defaults to 500 iterations and Python 2 sampling, and reports a null interval for zero spread', () => {
    const result = corpusGleu(['a b c d e'], [['a b c d e']], ['a b c d e']);
    expect(result).toMatchObject({ iterations: 500, pythonVersion: 2, mean: 1, std: 0, ci95: null, sentences: 1 });
    expect(result.printed.ci95).toBe('(nan,nan)');
  });

  it('rejects inputs of different lengths, naming the counts', () => {
    expect(() => corpusGleu(['a', 'b'], [['a', 'b'], ['a']], ['a', 'b'])).toThrow(MetricInputError);
    expect(() => corpusGleu(['a', 'b'], [['a', 'b']], ['a'])).toThrow(/2 sources, 1 hypotheses/);
    expect(() => corpusGleu(['a'], [], ['a'])).toThrow(/at least one reference/);
  });
});

describeNeeding('corpusGleu on the JFLEG data beside the checkout', sharedData('jfleg'), (jflegDirectory) => {
  const read = (name: string) => splitFileLines(readFileSync(path.join(jflegDirectory, name), 'utf8'));

  it.each(jfleg.runs)('$hypothesis against $source', (run) => {
    const sources = read(run.source);
    const references = run.references.map(read);
    const hypotheses = read(run.hypothesis);
    for (const version of [2, 3] as const) {
      const result = corpusGleu(sources, references, hypotheses, { pythonVersion: version });
      expect(result.printed).toEqual(version === 2 ? run.python2 : run.python3);
    }
  });
});
