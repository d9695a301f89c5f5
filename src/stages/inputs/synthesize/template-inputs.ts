import { z } from 'zod';
import { ConfigError } from '../../../errors.js';
import { createRandom } from '../../curate/near-dedup/seeded-random.js';
import { pickOne } from './sampling.js';
import type { SynthesizedInput } from './synthesized-input.js';

const SlotValueSchema = z.union([z.string(), z.number(), z.boolean()]);
type SlotValue = z.infer<typeof SlotValueSchema>;

/** `{ range: [-40, 120], step: 1 }` (inclusive) or `{ values: [...] }`. */
export const SlotSchema = z.union([
  z
    .object({ range: z.tuple([z.number(), z.number()]), step: z.number().positive().default(1) })
    .strict()
    .refine((slot) => slot.range[0] <= slot.range[1], { message: 'range must be [min, max] with min ≤ max' }),
  z.object({ values: z.array(SlotValueSchema).min(1) }).strict(),
]);

export const InputTemplateSchema = z
  .object({
    id: z.string().min(1),
    template: z.string().min(1),
    slots: z.record(z.string(), SlotSchema).default({}),
  })
  .strict();
export type InputTemplate = z.output<typeof InputTemplateSchema>;

export const TemplateSynthesisSchema = z
  .object({
    templates: z.array(InputTemplateSchema).min(1),
    /** cartesian: every combination (templates interleaved); sample: `n` seeded random draws. */
    mode: z.enum(['cartesian', 'sample']).default('cartesian'),
    n: z.number().int().positive().optional(),
    seed: z.number().int().default(0),
  })
  .strict()
  .refine((options) => options.mode === 'cartesian' || options.n !== undefined, { message: 'mode: sample needs n' });
export type TemplateSynthesis = z.input<typeof TemplateSynthesisSchema>;

/** Without `n`, a cartesian product larger than this is almost certainly a mistake. */
const MAX_UNBOUNDED_CARTESIAN = 1_000_000;
const SLOT_PATTERN = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function slotValues(slot: z.output<typeof SlotSchema>): SlotValue[] {
  if ('values' in slot) return slot.values;
  const [min, max] = slot.range;
  const count = Math.floor((max - min) / slot.step + 1e-9) + 1;
  // Rounded so that steps like 0.1 print as 0.3, not 0.30000000000000004.
  return Array.from({ length: count }, (_, index) => Number((min + index * slot.step).toFixed(10)));
}

interface PreparedTemplate {
  id: string;
  template: string;
  names: string[];
  values: SlotValue[][];
  combinations: number;
}

function prepare(template: InputTemplate, key: string): PreparedTemplate {
  const used = new Set([...template.template.matchAll(SLOT_PATTERN)].map((match) => match[1]!));
  for (const name of used) {
    if (template.slots[name] === undefined) throw new ConfigError(`template "${template.id}" uses {${name}} but defines no such slot`, key, key);
  }
  const names = Object.keys(template.slots).filter((name) => used.has(name));
  const values = names.map((name) => slotValues(template.slots[name]!));
  return { ...template, names, values, combinations: values.reduce((product, list) => product * list.length, 1) };
}

function render(template: PreparedTemplate, chosen: SlotValue[], index: number): SynthesizedInput {
  const assignment = Object.fromEntries(template.names.map((name, position) => [name, chosen[position]!]));
  const input = template.template.replace(SLOT_PATTERN, (whole, name: string) => (name in assignment ? String(assignment[name]) : whole));
  return { id: `${template.id}-${index}`, input, fields: { template: template.id, slots: assignment } };
}

/** The `ordinal`-th combination in mixed radix, last slot fastest. */
function combination(template: PreparedTemplate, ordinal: number): SlotValue[] {
  const chosen = new Array<SlotValue>(template.names.length);
  let rest = ordinal;
  for (let position = template.names.length - 1; position >= 0; position--) {
    const list = template.values[position]!;
    chosen[position] = list[rest % list.length]!;
    rest = Math.floor(rest / list.length);
  }
  return chosen;
}

/**
 * Expands slot templates into inputs. Cartesian mode walks every combination, taking templates in
 * turn so that a cut at `n` stays balanced; sample mode draws `n` distinct inputs with a seeded
 * generator (fewer when the templates cannot produce `n` distinct texts).
 */
export function synthesizeFromTemplates(config: TemplateSynthesis, configKey = 'inputs.synthesize'): SynthesizedInput[] {
  const options = TemplateSynthesisSchema.parse(config);
  const templates = options.templates.map((template, index) => prepare(template, `${configKey}.templates.${index}`));
  const total = templates.reduce((sum, template) => sum + template.combinations, 0);
  const limit = Math.min(options.n ?? total, total);
  if (options.n === undefined && total > MAX_UNBOUNDED_CARTESIAN) {
    throw new ConfigError(`templates expand to ${total} inputs; set n to bound them`, configKey, configKey);
  }
  const results: SynthesizedInput[] = [];
  const seen = new Set<string>();
  const produced = new Array<number>(templates.length).fill(0);
  const accept = (template: PreparedTemplate, position: number, chosen: SlotValue[]) => {
    const input = render(template, chosen, produced[position]!);
    if (seen.has(input.input)) return;
    seen.add(input.input);
    produced[position]!++;
    results.push(input);
  };
  if (options.mode === 'cartesian') {
    for (let ordinal = 0; results.length < limit && templates.some((template) => ordinal < template.combinations); ordinal++) {
      templates.forEach((template, position) => {
        if (ordinal < template.combinations && results.length < limit) accept(template, position, combination(template, ordinal));
      });
    }
    return results;
  }
  const random = createRandom(options.seed);
  // Duplicate draws are retried; the attempt cap ends the loop when the templates run out of texts.
  for (let attempt = 0; results.length < limit && attempt < limit * 20; attempt++) {
    const position = attempt % templates.length;
    const template = templates[position]!;
    accept(template, position, template.values.map((list) => pickOne(list, random)));
  }
  return results;
}
