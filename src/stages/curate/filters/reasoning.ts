import { z } from 'zod';
import { ConfigError } from '../../../errors.js';
import { normalizeText } from '../normalize-text.js';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import type { GeneratedRecord } from '../record.js';
import { approximateTokens, BoundsSchema, countWords } from './length.js';

const MATCHES = ['exact', 'normalized', 'number'] as const;
type Match = (typeof MATCHES)[number];

const ReasoningOptionsSchema = z
  .object({
    words: BoundsSchema.optional().describe('[min, max] words of the trace; null leaves a side open.'),
    tokens: BoundsSchema.optional().describe('[min, max] tokens of the trace (estimated: ~4 characters a token).'),
    require: z.boolean().default(true).describe('Drop rows whose teacher gave no trace (reason no_reasoning).'),
    answer: z
      .object({
        field: z.string().min(1).describe('Input column (inputs.keep_fields) holding the gold answer; rows without it are not checked.'),
        match: z.enum(MATCHES).default('normalized'),
        pattern: z
          .string()
          .refine(isRegex, 'not a valid regular expression')
          .optional()
          .describe('Regex whose first group is the final answer inside the output (default: the whole output).'),
      })
      .strict()
      .optional(),
  })
  .strict();
type ReasoningOptions = z.output<typeof ReasoningOptionsSchema>;

type Verdict = { reason: string; detail: unknown } | null;

/** A number as written in an answer: `1,234`, `$12.50`, `-3`, `42.` all read as their value. */
function numberIn(text: string): number | null {
  const cleaned = text.trim().replace(/[$€£,\s]/g, '').replace(/\.$/, '');
  return cleaned !== '' && Number.isFinite(Number(cleaned)) ? Number(cleaned) : null;
}

function sameAnswer(got: string, expected: string, match: Match): boolean {
  if (match === 'exact') return got.trim() === expected.trim();
  if (match === 'normalized') return normalizeText(got).replace(/[.!]$/, '') === normalizeText(expected).replace(/[.!]$/, '');
  const [left, right] = [numberIn(got), numberIn(expected)];
  return left !== null && right !== null && left === right;
}

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function goldOf(record: GeneratedRecord, field: string): string | undefined {
  const gold = record.fields?.[field];
  return gold === undefined || gold === null || gold === '' ? undefined : String(gold);
}

function answerCheck(options: NonNullable<ReasoningOptions['answer']>): (record: GeneratedRecord) => Verdict | 'no_gold' {
  const pattern = options.pattern === undefined ? undefined : new RegExp(options.pattern);
  return (record) => {
    const expected = goldOf(record, options.field);
    if (expected === undefined) return 'no_gold';
    const found = pattern === undefined ? record.output : pattern.exec(record.output)?.[1];
    if (found === undefined) return { reason: 'wrong_answer', detail: { expected, got: null, why: `no match for /${options.pattern}/` } };
    return sameAnswer(found, expected, options.match) ? null : { reason: 'wrong_answer', detail: { expected, got: found.trim() } };
  };
}

/**
 * Curation of reasoning traces (for `split.include_reasoning`): drops rows without a trace (`no_reasoning`),
 * traces outside the word / token bounds (`reasoning_length`), and rows whose final answer is not the gold answer
 * of their input (`wrong_answer`; reasoning is split off, so the check sees the answer alone). Rows without a gold
 * answer pass the answer check and are counted in the funnel's report.
 */
export const reasoningFilter = defineFilter({
  name: 'reasoning',
  options: ReasoningOptionsSchema,
  create: (options, dependencies) => {
    const countTokens = dependencies.countTokens ?? approximateTokens;
    const bounds = [
      ...(options.words ? [{ measure: 'words', min: options.words[0] ?? 0, max: options.words[1], count: countWords }] : []),
      ...(options.tokens ? [{ measure: 'tokens', min: options.tokens[0] ?? 0, max: options.tokens[1], count: countTokens }] : []),
    ];
    const checkAnswer = options.answer === undefined ? undefined : answerCheck(options.answer);
    return {
      name: 'reasoning',
      cost: 1,
      apply: async (records) => {
        // Not one row with the field: the column was not carried (inputs.keep_fields), not a set without answers.
        if (options.answer && records.length > 0 && !records.some((record) => goldOf(record, options.answer!.field) !== undefined)) {
          throw new ConfigError(`curate: reasoning.answer.field: no row carries '${options.answer.field}'; add it to inputs.keep_fields`, dependencies.configDirectory, 'reasoning.answer.field');
        }
        let withoutGold = 0;
        const result = partitionRecords(records, (record): Verdict => {
          const trace = record.reasoning?.trim() ?? '';
          if (trace === '' && options.require) return { reason: 'no_reasoning', detail: null };
          for (const { measure, min, max, count } of trace === '' ? [] : bounds) {
            const value = count(trace);
            if (value < min || (max !== null && value > max)) return { reason: 'reasoning_length', detail: { measure, value, min, max } };
          }
          const verdict = checkAnswer?.(record) ?? null;
          if (verdict === 'no_gold') {
            withoutGold += 1;
            return null;
          }
          return verdict;
        });
        return checkAnswer === undefined ? result : { ...result, report: { answers_without_gold: withoutGold } };
      },
    };
  },
});
