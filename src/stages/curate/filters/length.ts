import { z } from 'zod';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import type { GeneratedRecord } from '../record.js';

/** `[min, max]`; `null` leaves a side open. */
export const BoundsSchema = z.tuple([z.number().nonnegative().nullable(), z.number().nonnegative().nullable()]);

const MEASURES = ['input_chars', 'output_chars', 'input_words', 'output_words', 'input_tokens', 'output_tokens'] as const;
type Measure = (typeof MEASURES)[number];

const LengthOptionsSchema = z
  .object(Object.fromEntries(MEASURES.map((measure) => [measure, BoundsSchema.optional()])) as Record<Measure, z.ZodOptional<typeof BoundsSchema>>)
  .strict()
  .refine((options) => MEASURES.some((measure) => options[measure] !== undefined), {
    message: `give at least one of ${MEASURES.join(', ')}`,
  });

/** Without a tokenizer, ~4 characters per token is the usual English approximation. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

function measure(record: GeneratedRecord, which: Measure, countTokens: (text: string) => number): number {
  const text = which.startsWith('input') ? record.input : record.output;
  if (which.endsWith('chars')) return [...text].length;
  if (which.endsWith('words')) return countWords(text);
  return countTokens(text);
}

export const lengthFilter = defineFilter({
  name: 'length',
  options: LengthOptionsSchema,
  create: (options, dependencies) => {
    const countTokens = dependencies.countTokens ?? approximateTokens;
    const checks = MEASURES.flatMap((which) => {
      const bounds = options[which];
      return bounds === undefined ? [] : [{ which, min: bounds[0] ?? 0, max: bounds[1] ?? Number.POSITIVE_INFINITY }];
    });
    return {
      name: 'length',
      cost: 1,
      apply: async (records) =>
        partitionRecords(records, (record) => {
          for (const { which, min, max } of checks) {
            const value = measure(record, which, countTokens);
            if (value < min || value > max) {
              return { reason: 'length', detail: { measure: which, value, min, max: Number.isFinite(max) ? max : null } };
            }
          }
          return null;
        }),
    };
  },
});
