import { z } from 'zod';

/** One line of `evaluate/predictions.jsonl`: one model's answer to one item, with its latency and tokens. */
export const predictionRecordSchema = z.object({
  id: z.string(),
  model: z.string().describe('The name under evaluate.models.'),
  model_id: z.string(),
  output: z.string().describe('The answer with reasoning removed; empty when the request failed.'),
  reasoning: z.string().nullable(),
  finish_reason: z.string().nullable(),
  latency_ms: z.number().nullable().describe('Total request time; a cached answer keeps the latency recorded when it was asked.'),
  time_to_first_token_ms: z.number().nullable(),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  cached: z.boolean(),
  error: z.string().nullable(),
});
export type PredictionRecord = z.infer<typeof predictionRecordSchema>;
