import type { Command } from 'commander';
import { z } from 'zod';
import { scoreFiles } from '../stages/evaluate/metrics/score.js';

export const scoreOptionsSchema = z.strictObject({
  metric: z.enum(['gleu', 'bleu', 'chrf', 'exact']),
  sources: z.string().min(1).optional(),
  references: z.array(z.string().min(1)).min(1),
  hypothesis: z.string().min(1),
  tokenize: z.enum(['none', 'jfleg']).default('none'),
});

/** `distillery score`: one metric over plain text files (one sentence a line), printed as one JSON object. */
export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score a hypothesis file against reference files: GLEU (as JFLEG gleu.py), BLEU and chrF (as sacrebleu), exact match')
    .requiredOption('--metric <name>', 'gleu | bleu | chrf | exact')
    .option('--sources <file>', 'source sentences (GLEU needs them)')
    .requiredOption('--references <files...>', 'one file per reference set')
    .requiredOption('--hypothesis <file>', 'the system output')
    .option('--tokenize <kind>', 'jfleg: PTB-tokenize natural-text hypotheses first', 'none')
    .action(async (rawOptions: unknown) => {
      const options = scoreOptionsSchema.parse(rawOptions);
      const result = await scoreFiles({
        metric: options.metric,
        sources: options.sources,
        references: options.references,
        hypothesis: options.hypothesis,
        hypothesisTokenization: options.tokenize,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
