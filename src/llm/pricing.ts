import type { Usage } from './protocol.js';

export interface Price {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
  /** Fraction of the price paid for batch jobs (0.5: half price). */
  batch_discount?: number;
  /** USD per 1M trained tokens. */
  training?: number;
}

export type PriceTable = Record<string, Price>;

/** Exact model id first, then the id without an organization prefix; unknown models cost 0 (and say so). */
export function priceFor(table: PriceTable, model: string): Price | undefined {
  return table[model] ?? table[model.split('/').pop() ?? model];
}

export function costOf(usage: Usage, price: Price | undefined, batch = false): number {
  if (price === undefined) return 0;
  const factor = batch ? (price.batch_discount ?? 0.5) : 1;
  return ((usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000) * factor;
}
