import { z } from 'zod';
import { estimateTokens } from '../../llm/token-estimate.js';
import { messageText, type MessagesRow } from './training-formats.js';

export const distributionSchema = z.object({
  total: z.number(),
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
  max: z.number(),
});
export type Distribution = z.infer<typeof distributionSchema>;

/** Token counts of a chat file: whole conversations and assistant turns (the tokens that carry loss). */
export const tokenStatisticsSchema = z.object({
  count: z.number().int().nonnegative(),
  tokens: distributionSchema,
  assistant_tokens: distributionSchema,
});
export type TokenStatistics = z.infer<typeof tokenStatisticsSchema>;

/** Nearest-rank percentiles (an actual row's count), as the worker's `tokens` command computes them. */
export function distribution(values: readonly number[]): Distribution {
  const ordered = [...values].sort((left, right) => left - right);
  if (ordered.length === 0) return { total: 0, mean: 0, p50: 0, p95: 0, max: 0 };
  const total = ordered.reduce((sum, value) => sum + value, 0);
  const percentile = (fraction: number): number => ordered[Math.max(0, Math.ceil(fraction * ordered.length) - 1)]!;
  return { total, mean: total / ordered.length, p50: percentile(0.5), p95: percentile(0.95), max: ordered.at(-1)! };
}

/** Tokenizer-free estimate (about 4 characters a token, plus a few template tokens a message). */
export function estimateTokenStatistics(rows: readonly MessagesRow[]): TokenStatistics {
  const whole = rows.map((row) => row.messages.reduce((total, message) => total + estimateTokens(messageText(message)) + 4, 2));
  const assistant = rows.map((row) =>
    row.messages.filter((message) => message.role === 'assistant').reduce((total, message) => total + estimateTokens(messageText(message)) + 1, 0),
  );
  return { count: rows.length, tokens: distribution(whole), assistant_tokens: distribution(assistant) };
}
