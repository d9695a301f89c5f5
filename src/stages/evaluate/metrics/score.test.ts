import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../errors.js';
import { MetricInputError } from './metric-input-error.js';
import { scoreFiles } from './score.js';

interface RecordedCase {
  name: string;
  sources: string[];
  references: string[][];
  hypothesis: string[];
  python2: { mean: string; std: string; ci95: string };
}
const gleuCases = (
  JSON.parse(readFileSync(new URL('../../../../test/fixtures/metrics/gleu-recorded.json', import.meta.url), 'utf8')) as {
    cases: RecordedCase[];
  }
).cases;

function writeFiles(files: Record<string, string[]>): Record<string, string> {
  const directory = mkdtempSync(path.join(tmpdir(), 'distillery-score-'));
  return Object.fromEntries(
    Object.entries(files).map(([name, lines]) => {
      const file = path.join(directory, name);
      writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
      return [name, file];
    }),
  );
}

describe('scoreFiles', () => {
  const recorded = gleuCases[0]!;
  const files = writeFiles({
    src: recorded.sources,
    ref0: recorded.references[0]!,
    ref1: recorded.references[1]!,
    ref2: recorded.references[2]!,
    ref3: recorded.references[3]!,
    hyp: recorded.hypothesis,
    short: recorded.hypothesis.slice(1),
  });
  const references = [files.ref0!, files.ref1!, files.ref2!, files.ref3!];

  it('scores GLEU from files as gleu.py prints it', async () => {
    const result = await scoreFiles({ metric: 'gleu', sources: files.src, references, hypothesis: files.hyp! });
    expect(result.metric).toBe('gleu');
    expect(result.printed).toEqual(recorded.python2);
    expect(result.score.toFixed(6)).toBe(recorded.python2.mean);
    expect(result).toMatchObject({ lines: 6, iterations: 500, pythonVersion: 2 });
    expect(Array.isArray(result.ci95)).toBe(true);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('scores BLEU, chrF and exact match with their details', async () => {
    const bleu = await scoreFiles({ metric: 'bleu', references, hypothesis: files.hyp! });
    // sacrebleu too gives exp(log 100) = 100.00000000000004 here.
    expect(bleu).toMatchObject({ metric: 'bleu', score: 100.00000000000004, lines: 6 });
    expect(bleu.signature).toBe('nrefs:4|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0');
    const chrf = await scoreFiles({ metric: 'chrf', references, hypothesis: files.hyp! });
    expect(chrf).toMatchObject({ metric: 'chrf', score: 100 });
    const exact = await scoreFiles({ metric: 'exact', references, hypothesis: files.src! });
    expect(exact).toMatchObject({ metric: 'exact', matches: 1, total: 6 });
  });

  it('names files and counts when line counts differ', async () => {
    const attempt = scoreFiles({ metric: 'bleu', references, hypothesis: files.short! });
    await expect(attempt).rejects.toThrow(MetricInputError);
    await expect(attempt).rejects.toThrow(`${files.short}: 5 lines, ${files.ref0}: 6 lines`);
  });

  it('requires sources for GLEU and reports unreadable files', async () => {
    await expect(scoreFiles({ metric: 'gleu', references, hypothesis: files.hyp! })).rejects.toThrow(/source file/);
    const missing = path.join(tmpdir(), 'distillery-no-such-file.txt');
    await expect(scoreFiles({ metric: 'chrf', references: [missing], hypothesis: files.hyp! })).rejects.toThrow(DataError);
  });
});
