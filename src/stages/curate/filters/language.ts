import { z } from 'zod';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import { TextFieldSchema, textOf } from '../text-field.js';
import { detectLanguage } from './detect-language.js';

const LanguageOptionsSchema = z
  .object({
    expected: z.union([z.string().min(2), z.array(z.string().min(2)).min(1)]),
    on: TextFieldSchema.default('output'),
    /** Texts with fewer letters are kept: too little evidence to call their language. */
    min_letters: z.number().int().nonnegative().default(20),
  })
  .strict();

export const languageFilter = defineFilter({
  name: 'language',
  options: LanguageOptionsSchema,
  create: (options) => {
    const expected = new Set((Array.isArray(options.expected) ? options.expected : [options.expected]).map((code) => code.toLowerCase()));
    return {
      name: 'language',
      cost: 3,
      apply: async (records) =>
        partitionRecords(records, (record) => {
          const guess = detectLanguage(textOf(record, options.on), options.min_letters);
          return guess.language === 'und' || expected.has(guess.language)
            ? null
            : { reason: 'language', detail: { detected: guess.language, expected: [...expected] } };
        }),
    };
  },
});
