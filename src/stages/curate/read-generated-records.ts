import { readJsonl } from '../../data/jsonl.js';
import { DataError } from '../../errors.js';
import { GeneratedRecordSchema, type GeneratedRecord } from './record.js';

/** Reads `generate/outputs.jsonl`, validating every line; a bad line is a DataError naming file and line. */
export async function readGeneratedRecords(path: string): Promise<GeneratedRecord[]> {
  const records: GeneratedRecord[] = [];
  for await (const { line, value } of readJsonl(path)) {
    const parsed = GeneratedRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(`${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`, path, line);
    }
    records.push(parsed.data);
  }
  return records;
}
