import { z } from 'zod';
import type { ChatFunction } from '../../curate/chat.js';
import { mapWithConcurrency } from '../../map-with-concurrency.js';
import { createRandom } from '../../curate/near-dedup/seeded-random.js';
import { cleanItem } from './parse-generated-list.js';
import { DEFAULT_POOL_SIMILARITY, InputPool } from './input-pool.js';
import { pickOne } from './sampling.js';
import type { SynthesizedInput } from './synthesized-input.js';

const REWRITE_RULES = `Rewrite the given prompt into a new one. The new prompt must be reasonable, understandable and answerable by humans, and must not mention "given prompt" or "rewritten prompt". Answer with the new prompt only.`;

/** Evol-Instruct operators (after WizardLM): in-depth deepening and constraints, and in-breadth mutation. */
export const EVOL_OPERATORS: Readonly<Record<string, string>> = {
  deepen: `${REWRITE_RULES}\nMake it more complex: if it asks about a topic, increase the depth and breadth of what it asks. Add at most 20 words.\n\nGiven prompt:\n{prompt}`,
  constrain: `${REWRITE_RULES}\nAdd one more constraint or requirement to it. Add at most 20 words.\n\nGiven prompt:\n{prompt}`,
  broaden: `${REWRITE_RULES}\nDraw inspiration from it to create a brand-new prompt in the same domain, on a rarer topic, of similar length and difficulty.\n\nGiven prompt:\n{prompt}`,
};

export const EvolInstructOptionsSchema = z
  .object({
    generations: z.number().int().positive().default(3),
    seed: z.number().int().default(0),
    operators: z.array(z.string().min(1)).min(1).default(['deepen', 'constrain', 'broaden']),
    /** Replacement or extra operator templates, each with a `{prompt}` placeholder. */
    templates: z.record(z.string(), z.string().includes('{prompt}')).default({}),
    concurrency: z.number().int().positive().default(8),
    /** An evolution longer than this many times its parent is treated as a runaway and rejected. */
    max_growth: z.number().positive().default(4),
  })
  .strict()
  .superRefine((options, context) => {
    for (const name of options.operators) {
      if (options.templates[name] === undefined && EVOL_OPERATORS[name] === undefined) {
        context.addIssue({ code: 'custom', message: `unknown operator "${name}" and no template for it`, path: ['operators'] });
      }
    }
  });
export type EvolInstructOptions = z.input<typeof EvolInstructOptionsSchema>;

export interface EvolInstructResult {
  inputs: SynthesizedInput[];
  rejected: { duplicate: number; leaked: number; runaway: number; empty: number };
}

/** WizardLM's elimination signs: the model echoed the instructions instead of writing a prompt. */
const LEAK = /\b(?:given|rewritten|new) prompt\b/i;

/**
 * Evol-Instruct: each seed evolves for `generations` steps, one seeded-random operator per step.
 * A failed evolution (duplicate, echo of the instructions, runaway length, empty) is discarded and
 * that lineage retries from its parent in the next generation. Calls run concurrently but results
 * are applied in seed order, so output depends only on the seed and the chat answers.
 */
export async function evolInstruct(seeds: readonly string[], chat: ChatFunction, config: EvolInstructOptions): Promise<EvolInstructResult> {
  const options = EvolInstructOptionsSchema.parse(config);
  const random = createRandom(options.seed);
  const templates = { ...EVOL_OPERATORS, ...options.templates };
  const pool = new InputPool(DEFAULT_POOL_SIMILARITY);
  for (const seed of seeds) pool.admit(seed);
  let frontier = seeds.map((text, index) => ({ id: `seed-${index}`, text, root: index }));
  const inputs: SynthesizedInput[] = [];
  const rejected = { duplicate: 0, leaked: 0, runaway: 0, empty: 0 };
  for (let generation = 1; generation <= options.generations; generation++) {
    const planned = frontier.map((parent) => ({ parent, operator: pickOne(options.operators, random) }));
    const answers = await mapWithConcurrency(planned, options.concurrency, ({ parent, operator }) =>
      chat([{ role: 'user', content: templates[operator]!.replace('{prompt}', () => parent.text) }]),
    );
    frontier = planned.map(({ parent, operator }, index) => {
      const text = cleanItem(answers[index]?.content ?? '');
      const problem =
        text.length === 0 ? 'empty' : LEAK.test(text) ? 'leaked' : text.length > parent.text.length * options.max_growth ? 'runaway' : null;
      if (problem !== null) {
        rejected[problem]++;
        return parent;
      }
      if (pool.admit(text) !== 'added') {
        rejected.duplicate++;
        return parent;
      }
      const child = { id: `evol-${inputs.length}`, text, root: parent.root };
      inputs.push({ id: child.id, input: text, fields: { source: 'evol_instruct', operator, generation, parent: parent.id, root: `seed-${parent.root}` } });
      return child;
    });
  }
  return { inputs, rejected };
}
