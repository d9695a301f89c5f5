import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import { readTableBatches, type TableFormat } from '../../data/tabular.js';
import { countWords } from '../../data/text.js';
import { DigestSet } from './digest-set.js';
import { answerFromChat, answerFromColumns, type AnswerReading, type ImportedFields } from './imported-answer.js';
import { InputIds } from './input-ids.js';
import type { InputRecord } from './input-record.js';
import { ReservoirSample } from './reservoir-sample.js';
import { textDigest } from './text-digest.js';

export interface ReadInputsOptions {
  path: string;
  /** `chat`: JSONL rows of `{"messages": [...]}` whose last assistant message is an imported answer. */
  format?: TableFormat | 'chat';
  field: string;
  idField: string;
  keepFields: string[];
  words?: { min?: number; max?: number };
  chars?: { min?: number; max?: number };
  limit?: number;
  onError: 'stop' | 'skip';
  /** Drop rows whose input text was seen before (first one kept). */
  dedup?: boolean;
  /** A uniform sample of n rows, drawn after the filters, dedup and limit. */
  sample?: { n: number; seed: number };
  imported?: ImportedFields;
  /** Where the id and dedup digest sets spill when they outgrow memory (removed afterwards). */
  scratchDir: string;
  /** Digests each set keeps in memory before spilling (tests force a spill with a small number). */
  memoryEntries?: number;
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

/** Where rows go as they are read: nothing is held back except a sample's reservoir. */
export interface InputsSink {
  input(record: InputRecord): void;
  rejected(row: RejectedRow): void;
  filtered(row: FilteredRow): void;
}

export interface InputsCounts {
  rows: number;
  kept: number;
  filtered: number;
  rejected: number;
  duplicates: number;
  sampled_out: number;
  /** The last line or row number read (synthesized ids are checked against the ids claimed so far). */
  last_line: number;
}

/**
 * Reads, validates, bounds-filters, dedups and samples task inputs in one streaming pass. Malformed rows stop
 * the run, or with `skip` go to `sink.rejected`; rows outside the bounds and duplicates go to `sink.filtered`.
 * Memory does not grow with the file: ids and texts are remembered as 8-byte digests that spill to SQLite.
 * The returned `ids` stays open so that synthesized inputs can be checked against it; close it after.
 */
export async function streamInputs(options: ReadInputsOptions, sink: InputsSink): Promise<{ counts: InputsCounts; ids: InputIds }> {
  mkdirSync(options.scratchDir, { recursive: true });
  const ids = new InputIds(join(options.scratchDir, 'ids.sqlite'), options.memoryEntries);
  const texts = options.dedup ? new DigestSet({ spillPath: join(options.scratchDir, 'texts.sqlite'), memoryEntries: options.memoryEntries }) : undefined;
  const sample = options.sample ? new ReservoirSample<InputRecord>(options.sample.n, options.sample.seed) : undefined;
  const counts: InputsCounts = { rows: 0, kept: 0, filtered: 0, rejected: 0, duplicates: 0, sampled_out: 0, last_line: 0 };
  const chat = options.format === 'chat';
  const reject = (line: number, error: string, row: unknown): void => {
    if (options.onError === 'stop') throw new DataError(`${error} (set inputs.on_error: skip to set such rows aside)`, options.path, line);
    counts.rejected++;
    sink.rejected({ file: options.path, line, error, row });
  };
  const filter = (row: FilteredRow): void => {
    counts.filtered++;
    sink.filtered(row);
  };
  let accepted = 0;

  try {
    // Rows arrive in batches (one await per ~1 MB, not per row); `rows` labels the loop that `limit` ends.
    rows: for await (const batch of readTableBatches(options.path, options.format === 'chat' ? 'jsonl' : options.format)) {
      for (const { line, value } of batch) {
        if (options.limit !== undefined && accepted >= options.limit) break rows;
        counts.rows++;
        counts.last_line = line;
        const reading = chat ? answerFromChat(value) : readInputField(value, options);
        if ('error' in reading) {
          reject(line, reading.error, value);
          continue;
        }
        const rawId = value[options.idField];
        if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number' && typeof rawId !== 'bigint') {
          reject(line, `field '${options.idField}' must be a string or number`, value);
          continue;
        }
        const explicit = rawId !== undefined && rawId !== null;
        const id = explicit ? String(rawId) : String(line);
        const earlier = ids.claim(id, line, explicit);
        if (earlier !== undefined) {
          reject(line, `duplicate id '${id}' (first seen on line ${earlier})`, value);
          continue;
        }
        const text = reading.input;
        const reason = boundsViolation(text, options);
        if (reason !== null) {
          filter({ id, input: text, reason });
          continue;
        }
        if (texts) {
          const [high, low] = textDigest(text);
          const first = texts.add(high, low, line);
          if (first !== undefined) {
            counts.duplicates++;
            filter({ id, input: text, reason: `duplicate of line ${first}` });
            continue;
          }
        }
        const record: InputRecord = { id, input: text };
        const fields = pickFields(value, options.keepFields);
        if (fields !== undefined) record.fields = fields;
        if (reading.imported) record.imported = reading.imported;
        accepted++;
        if (sample) sample.offer(record);
        else sink.input(record);
      }
    }
  } catch (error) {
    ids.close();
    // A row the parser cannot read at all (bad JSON, ragged CSV) is always fatal: there is no row to set aside.
    if (error instanceof DataError) throw error;
    throw new DataError((error as Error).message, options.path);
  } finally {
    texts?.close();
  }
  if (sample) {
    const chosen = sample.items();
    for (const record of chosen) sink.input(record);
    counts.sampled_out = accepted - chosen.length;
  }
  counts.kept = accepted - counts.sampled_out;
  return { counts, ids };
}

/** The whole result in arrays: for small files and tests; the stage streams through `streamInputs`. */
export async function readInputs(options: ReadInputsOptions): Promise<{ inputs: InputRecord[]; rejected: RejectedRow[]; filtered: FilteredRow[]; counts: InputsCounts }> {
  const inputs: InputRecord[] = [];
  const rejected: RejectedRow[] = [];
  const filtered: FilteredRow[] = [];
  const { counts, ids } = await streamInputs(options, { input: (row) => inputs.push(row), rejected: (row) => rejected.push(row), filtered: (row) => filtered.push(row) });
  ids.close();
  return { inputs, rejected, filtered, counts };
}

function readInputField(value: Record<string, unknown>, options: ReadInputsOptions): AnswerReading {
  const text = value[options.field];
  if (text === undefined || text === null) return { error: `missing field '${options.field}'` };
  if (typeof text !== 'string') return { error: `field '${options.field}' must be a string, got ${Array.isArray(text) ? 'array' : typeof text}` };
  return answerFromColumns(value, text, options.imported ?? {});
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
