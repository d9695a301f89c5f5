import { z } from 'zod';
import type { GeneratedRecord } from './record.js';

/** Which part of a record a text filter looks at. */
export const TextFieldSchema = z.enum(['input', 'output', 'input+output']);
export type TextField = z.infer<typeof TextFieldSchema>;

export function textOf(record: GeneratedRecord, field: TextField): string {
  if (field === 'input') return record.input;
  if (field === 'output') return record.output;
  return `${record.input}\n${record.output}`;
}
