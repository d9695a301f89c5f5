import { z } from 'zod';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import { TextFieldSchema, textOf } from '../text-field.js';

/**
 * Phrases that mark a refusal, a disclaimer or a non-answer. Note that some ("I cannot") can be
 * legitimate content in tasks that rewrite user text; such tasks should pass `replace: true`.
 */
export const DEFAULT_REFUSAL_PHRASES: readonly string[] = [
  'as an ai language model',
  'as a language model',
  'as an ai assistant',
  "i'm just an ai",
  'i cannot',
  "i can't",
  'i can not',
  "i'm sorry, but",
  'i am sorry, but',
  'i apologize, but',
  "i'm unable to",
  'i am unable to',
  "i'm not able to",
  'i am not able to',
  "i don't know",
  'i do not know',
  "i don't have access",
  'i do not have access',
  'my knowledge cutoff',
  'i must decline',
  "i won't be able to",
];

const RefusalOptionsSchema = z
  .object({
    extra: z.array(z.string().min(1)).default([]),
    /** true: `extra` replaces the built-in list instead of extending it. */
    replace: z.boolean().default(false),
    on: TextFieldSchema.default('output'),
  })
  .strict();

/** One case-insensitive regex; phrases match on word boundaries so "i cannotate" does not hit. */
export function refusalPattern(phrases: readonly string[]): RegExp {
  const alternatives = phrases
    .map((phrase) => phrase.toLowerCase().replace(/[\u2018\u2019]/g, "'"))
    .map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

export const refusalFilter = defineFilter({
  name: 'refusal',
  options: RefusalOptionsSchema,
  create: (options) => {
    const phrases = options.replace ? options.extra : [...DEFAULT_REFUSAL_PHRASES, ...options.extra];
    const pattern = phrases.length === 0 ? null : refusalPattern(phrases);
    return {
      name: 'refusal',
      cost: 2,
      apply: async (records) =>
        partitionRecords(records, (record) => {
          const match = pattern?.exec(textOf(record, options.on).replace(/[\u2018\u2019]/g, "'"));
          return match ? { reason: 'refusal', detail: { phrase: match[0] } } : null;
        }),
    };
  },
});
