import { z } from 'zod';

/** One teacher output, one line of `generate/outputs.jsonl`: what curation reads. */
export interface GeneratedRecord {
  id: string;
  input: string;
  output: string;
  reasoning: string | null;
  finish_reason: string | null;
  truncated: boolean;
  usage: { prompt_tokens: number; completion_tokens: number };
  /** Extra input columns (template, category, …) carried through for filters such as diversity caps. */
  fields?: Record<string, unknown>;
}

/** Validates a parsed line of outputs.jsonl; the file is external input, so it is checked, not trusted. */
export const GeneratedRecordSchema = z.object({
  id: z.string(),
  input: z.string(),
  output: z.string(),
  reasoning: z.string().nullable(),
  finish_reason: z.string().nullable(),
  truncated: z.boolean(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }),
  fields: z.record(z.string(), z.unknown()).optional(),
});
