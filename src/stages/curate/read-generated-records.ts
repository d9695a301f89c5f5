import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DataError } from '../../errors.js';
import { GeneratedRecordSchema, type GeneratedRecord } from './record.js';

/** Reads `generate/outputs.jsonl`, validating every line; a bad line is a DataError naming file and line. */
export async function readGeneratedRecords(path: string): Promise<GeneratedRecord[]> {
  const records: GeneratedRecord[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`not JSON: ${error instanceof Error ? error.message : String(error)}`, path, lineNumber);
    }
    const parsed = GeneratedRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DataError(`${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`, path, lineNumber);
    }
    records.push(parsed.data);
  }
  return records;
}
