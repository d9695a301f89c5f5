import { DataError } from '../../errors.js';
import { readTable, type TableFormat } from '../../data/tabular.js';
import { countWords } from '../../data/text.js';
import type { InputRecord } from './input-record.js';

export interface ReadInputsOptions {
  path: string;
  format?: TableFormat;
  field: string;
  idField: string;
  keepFields: string[];
  words?: { min?: number; max?: number };
  chars?: { min?: number; max?: number };
  limit?: number;
  onError: 'stop' | 'skip';
}

export interface RejectedRow {
  file: string;
  line: number;
  error: string;
  row: unknown;
}

export interface FilteredRow {
  id: string;
  input: string;
  reason: string;
}

export interface ReadInputsResult {
  inputs: InputRecord[];
  rejected: RejectedRow[];
  filtered: FilteredRow[];
  rows: number;
}

/** Reads, validates and bounds-filters task inputs. Malformed rows stop the run, or are set aside with `skip`. */
export async function readInputs(options: ReadInputsOptions): Promise<ReadInputsResult> {
  const inputs: InputRecord[] = [];
  const rejected: RejectedRow[] = [];
  const filtered: FilteredRow[] = [];
  const seen = new Map<string, number>();
  let rows = 0;
  const reject = (line: number, error: string, row: unknown): void => {
    if (options.onError === 'stop') throw new DataError(`${error} (set inputs.on_error: skip to set such rows aside)`, options.path, line);
    rejected.push({ file: options.path, line, error, row });
  };

  try {
    for await (const { line, value } of readTable(options.path, options.format)) {
      if (options.limit !== undefined && inputs.length >= options.limit) break;
      rows++;
      const text = value[options.field];
      if (text === undefined || text === null) {
        reject(line, `missing field '${options.field}'`, value);
        continue;
      }
      if (typeof text !== 'string') {
        reject(line, `field '${options.field}' must be a string, got ${Array.isArray(text) ? 'array' : typeof text}`, value);
        continue;
      }
      const rawId = value[options.idField];
      if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number' && typeof rawId !== 'bigint') {
        reject(line, `field '${options.idField}' must be a string or number`, value);
        continue;
      }
      const id = rawId === undefined || rawId === null ? String(line) : String(rawId);
      const earlier = seen.get(id);
      if (earlier !== undefined) {
        reject(line, `duplicate id '${id}' (first seen on line ${earlier})`, value);
        continue;
      }
      seen.set(id, line);
      const reason = boundsViolation(text, options);
      if (reason !== null) {
        filtered.push({ id, input: text, reason });
        continue;
      }
      const record: InputRecord = { id, input: text };
      const fields = pickFields(value, options.keepFields);
      if (fields !== undefined) record.fields = fields;
      inputs.push(record);
    }
  } catch (error) {
    // A row the parser cannot read at all (bad JSON, ragged CSV) is always fatal: there is no row to set aside.
    if (error instanceof DataError) throw error;
    throw new DataError((error as Error).message, options.path);
  }
  return { inputs, rejected, filtered, rows };
}

function boundsViolation(text: string, options: ReadInputsOptions): string | null {
  if (options.words) {
    const words = countWords(text);
    if (options.words.min !== undefined && words < options.words.min) return `words ${words} < ${options.words.min}`;
    if (options.words.max !== undefined && words > options.words.max) return `words ${words} > ${options.words.max}`;
  }
  if (options.chars) {
    const characters = [...text].length;
    if (options.chars.min !== undefined && characters < options.chars.min) return `chars ${characters} < ${options.chars.min}`;
    if (options.chars.max !== undefined && characters > options.chars.max) return `chars ${characters} > ${options.chars.max}`;
  }
  return null;
}

function pickFields(value: Record<string, unknown>, keep: string[]): Record<string, unknown> | undefined {
  if (keep.length === 0) return undefined;
  const fields: Record<string, unknown> = {};
  for (const key of keep) if (key in value) fields[key] = typeof value[key] === 'bigint' ? String(value[key]) : value[key];
  return fields;
}
