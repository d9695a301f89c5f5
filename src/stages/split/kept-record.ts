import { z } from 'zod';
import { DataError } from '../../errors.js';

/** A row of `curate/kept.jsonl` (only the fields the split reads; extra fields pass). */
export const keptRecordSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  input: z.string(),
  output: z.string(),
  /** The teacher's reasoning, split off by generate (null or absent when it gave none). */
  reasoning: z.string().nullable().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type KeptRecord = z.infer<typeof keptRecordSchema>;

export function parseKeptRecord(value: unknown, file: string, line: number): KeptRecord {
  const parsed = keptRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`not a kept row: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), file, line);
  }
  return parsed.data;
}
