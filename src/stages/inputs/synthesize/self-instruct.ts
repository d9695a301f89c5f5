import { z } from 'zod';
import type { ChatFunction } from '../../curate/chat.js';
import { createRandom } from '../../curate/near-dedup/seeded-random.js';
import { DEFAULT_POOL_SIMILARITY, InputPool } from './input-pool.js';
import { parseGeneratedList } from './parse-generated-list.js';
import { sampleWithoutReplacement } from './sampling.js';
import type { SynthesizedInput } from './synthesized-input.js';

export const DEFAULT_SELF_INSTRUCT_PROMPT = `You are helping build a dataset of task inputs. Here are some examples:

{examples}

Write {count} new inputs for the same task. Make them diverse in topic, wording and difficulty, and different from the examples. Answer with a numbered list, one input per item, and nothing else.`;

export const SelfInstructOptionsSchema = z
  .object({
    n: z.number().int().positive(),
    seed: z.number().int().default(0),
    /** Examples shown per prompt, drawn from the seeds and (once there are some) from generated inputs. */
    examples_per_prompt: z.number().int().positive().default(6),
    /** Share of shown examples taken from generated inputs (Self-Instruct used 2 of 8). */
    generated_share: z.number().min(0).max(1).default(0.25),
    count_per_round: z.number().int().positive().default(8),
    max_rounds: z.number().int().positive().optional(),
    prompt: z.string().optional(),
    min_chars: z.number().int().nonnegative().default(3),
  })
  .strict();
export type SelfInstructOptions = z.input<typeof SelfInstructOptionsSchema>;

export interface SelfInstructResult {
  inputs: SynthesizedInput[];
  rounds: number;
  rejected: { exact: number; near: number; too_short: number; unparsed_answers: number };
}

function fillPrompt(template: string, examples: string[], count: number): string {
  const list = examples.map((example, index) => `${index + 1}. ${example}`).join('\n');
  return template.replace(/\{(examples|count)\}/g, (_, name: string) => (name === 'examples' ? list : String(count)));
}

/**
 * Self-Instruct: the teacher writes new inputs from sampled examples, round after round, until `n`
 * are accepted or `max_rounds` pass. Each candidate must clear exact and near dedup against the
 * seeds and everything accepted, so the pool grows in variety rather than in copies.
 */
export async function selfInstruct(seeds: readonly string[], chat: ChatFunction, config: SelfInstructOptions): Promise<SelfInstructResult> {
  const options = SelfInstructOptionsSchema.parse(config);
  const random = createRandom(options.seed);
  const pool = new InputPool(DEFAULT_POOL_SIMILARITY);
  for (const seed of seeds) pool.admit(seed);
  const inputs: SynthesizedInput[] = [];
  const rejected = { exact: 0, near: 0, too_short: 0, unparsed_answers: 0 };
  const maxRounds = options.max_rounds ?? Math.ceil(options.n / options.count_per_round) * 5 + 5;
  let rounds = 0;
  while (inputs.length < options.n && rounds < maxRounds) {
    rounds++;
    const fromGenerated = Math.min(inputs.length, Math.round(options.examples_per_prompt * options.generated_share));
    const examples = [
      ...sampleWithoutReplacement(seeds, options.examples_per_prompt - fromGenerated, random),
      ...sampleWithoutReplacement(inputs.map((input) => input.input), fromGenerated, random),
    ];
    const count = Math.min(options.count_per_round, options.n - inputs.length);
    const answer = await chat([{ role: 'user', content: fillPrompt(options.prompt ?? DEFAULT_SELF_INSTRUCT_PROMPT, examples, count) }]);
    const candidates = parseGeneratedList(answer.content);
    if (candidates.length === 0) rejected.unparsed_answers++;
    for (const candidate of candidates) {
      if (inputs.length >= options.n) break;
      if (candidate.length < options.min_chars) {
        rejected.too_short++;
        continue;
      }
      const verdict = pool.admit(candidate);
      if (verdict !== 'added') {
        rejected[verdict]++;
        continue;
      }
      inputs.push({ id: `self-instruct-${inputs.length}`, input: candidate, fields: { source: 'self_instruct', round: rounds } });
    }
  }
  return { inputs, rounds, rejected };
}
