import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeNeeding, sharedData } from '../../../../test/helpers/needs.js';
import { corpusBleu } from './bleu.js';
import { corpusChrf } from './chrf.js';
import { splitFileLines } from './text-lines.js';

interface RecordedRun {
  hypothesis: string;
  references: string[];
  bleu: number;
  bleuSignature: string;
  chrf: number;
  chrfSignature: string;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const recorded = JSON.parse(
  readFileSync(path.join(repoRoot, 'test', 'fixtures', 'metrics', 'sacrebleu-jfleg-recorded.json'), 'utf8'),
) as { runs: RecordedRun[] };

describeNeeding('BLEU and chrF on the JFLEG data beside the checkout', sharedData('jfleg'), (jflegDirectory) => {
  const read = (name: string) => splitFileLines(readFileSync(path.join(jflegDirectory, name), 'utf8'));

  it.each(recorded.runs)('$hypothesis', (run) => {
    const hypotheses = read(run.hypothesis);
    const references = run.references.map(read);
    const bleu = corpusBleu(hypotheses, references);
    const chrf = corpusChrf(hypotheses, references);
    expect([bleu.score, bleu.signature]).toEqual([run.bleu, run.bleuSignature]);
    expect([chrf.score, chrf.signature]).toEqual([run.chrf, run.chrfSignature]);
  });
});
