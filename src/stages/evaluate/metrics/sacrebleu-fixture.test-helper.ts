import { readFileSync } from 'node:fs';
import type { BleuOptions } from './bleu.js';
import type { ChrfOptions } from './chrf.js';

/** Outputs recorded from sacrebleu; see the fixture's producedBy. */
export interface SacrebleuFixture {
  cases: {
    name: string;
    hypotheses: string[];
    references: string[][];
    bleu: {
      options: BleuOptions;
      score: number;
      counts: number[];
      totals: number[];
      brevityPenalty: number;
      hypothesisLength: number;
      referenceLength: number;
      signature: string;
    }[];
    chrf: { options: ChrfOptions; score: number; signature: string }[];
  }[];
  tokenizer13a: { input: string; output: string }[];
}

export const sacrebleuFixture = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/metrics/sacrebleu-recorded.json', import.meta.url), 'utf8'),
) as SacrebleuFixture;
