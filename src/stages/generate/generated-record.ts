import { z } from 'zod';

/** One line of `generate/outputs.jsonl`: the teacher's answer to one input. Later stages read it back. */
export const GeneratedRecordSchema = z.object({
  id: z.string(),
  input: z.string(),
  output: z.string(),
  reasoning: z.string().nullable(),
  finish_reason: z.string().nullable(),
  truncated: z.boolean(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }),
  /** Extra input columns (template, category, …) carried through for filters such as diversity caps. */
  fields: z.record(z.string(), z.unknown()).optional(),
});

export type GeneratedRecord = z.infer<typeof GeneratedRecordSchema>;

/** One line of `generate/errors.jsonl`: an input that failed for good, with the last error. */
export interface GenerationFailure {
  id: string;
  input: string;
  error: string;
  attempts: number;
}
