import { z } from 'zod';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import type { GeneratedRecord } from '../record.js';
import { TextFieldSchema, textOf } from '../text-field.js';

const DiversityOptionsSchema = z
  .object({
    /** A column from `fields` (e.g. the synthesizer's `template`). */
    key: z.string().min(1).optional(),
    /** Or: the first N words of the text, lowercased, to cap "Write a …"-style openers. */
    first_words: z.number().int().positive().optional(),
    on: TextFieldSchema.default('input'),
    cap: z.number().int().positive(),
  })
  .strict()
  .refine((options) => (options.key === undefined) !== (options.first_words === undefined), {
    message: 'give exactly one of key, first_words',
  });

const MISSING = '(missing)';
/** The funnel shows at most this many keys per distribution; the rest are summed. */
const REPORTED_KEYS = 50;

function distribution(counts: Map<string, number>): Record<string, number> {
  const sorted = [...counts].sort((left, right) => right[1] - left[1]);
  const shown = Object.fromEntries(sorted.slice(0, REPORTED_KEYS));
  const rest = sorted.slice(REPORTED_KEYS);
  if (rest.length > 0) shown[`(${rest.length} more keys)`] = rest.reduce((sum, [, count]) => sum + count, 0);
  return shown;
}

/** Caps how many records share a key, keeping the first ones, so one template cannot dominate training. */
export const diversityFilter = defineFilter({
  name: 'diversity',
  options: DiversityOptionsSchema,
  create: (options) => {
    const keyOf = (record: GeneratedRecord): string => {
      if (options.first_words !== undefined) {
        return textOf(record, options.on).toLowerCase().split(/\s+/).filter(Boolean).slice(0, options.first_words).join(' ');
      }
      const value = record.fields?.[options.key ?? ''];
      return value === undefined || value === null ? MISSING : typeof value === 'string' ? value : JSON.stringify(value);
    };
    return {
      name: 'diversity',
      cost: 8,
      apply: async (records) => {
        const before = new Map<string, number>();
        const after = new Map<string, number>();
        const result = partitionRecords(records, (record) => {
          const key = keyOf(record);
          before.set(key, (before.get(key) ?? 0) + 1);
          const taken = after.get(key) ?? 0;
          if (taken >= options.cap) return { reason: 'diversity_cap', detail: { key, cap: options.cap } };
          after.set(key, taken + 1);
          return null;
        });
        const keyName = options.key ?? `first_words:${options.first_words}`;
        return { ...result, report: { key: keyName, distinct: before.size, before: distribution(before), after: distribution(after) } };
      },
    };
  },
});
