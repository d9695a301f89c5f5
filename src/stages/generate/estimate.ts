import { costOf, priceFor, type PriceTable } from '../../llm/pricing.js';
import { estimatePromptTokens } from '../../llm/token-estimate.js';
import type { InputRecord } from '../inputs/input-record.js';
import type { TeacherRequests } from './teacher-request.js';

export interface GenerationEstimate {
  requests: number;
  promptTokens: number;
  /** Upper bound: every answer uses max_tokens. */
  maxCompletionTokens: number;
  maxCost: number;
  /** Cost if answers average `typicalFraction` of max_tokens. */
  typicalCost: number;
  typicalFraction: number;
  priced: boolean;
  batch: boolean;
}

/** Tokens and cost before anything is sent, from input lengths and max_tokens. */
export function estimateGeneration(inputs: InputRecord[], requests: TeacherRequests, prices: PriceTable, typicalFraction = 0.25): GenerationEstimate {
  let promptTokens = 0;
  for (const input of inputs) promptTokens += estimatePromptTokens(requests.parameters(input).messages);
  const maxCompletionTokens = inputs.length * requests.teacher.max_tokens;
  const price = priceFor(prices, requests.teacher.model);
  const batch = requests.teacher.mode === 'batch';
  return {
    requests: inputs.length,
    promptTokens,
    maxCompletionTokens,
    maxCost: costOf({ prompt_tokens: promptTokens, completion_tokens: maxCompletionTokens }, price, batch),
    typicalCost: costOf({ prompt_tokens: promptTokens, completion_tokens: Math.round(maxCompletionTokens * typicalFraction) }, price, batch),
    typicalFraction,
    priced: price !== undefined,
    batch,
  };
}
