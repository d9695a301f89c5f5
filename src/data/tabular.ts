import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { DataError } from '../errors.js';
import { readJsonl } from './jsonl.js';

export type TableFormat = 'jsonl' | 'csv' | 'parquet';

export interface TableRow {
  /** 1-based line (JSONL, CSV: the record's first line) or row number (Parquet). */
  line: number;
  value: Record<string, unknown>;
}

export function tableFormat(path: string, explicit?: TableFormat): TableFormat {
  if (explicit) return explicit;
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson' || extension === '.json') return 'jsonl';
  if (extension === '.csv' || extension === '.tsv') return 'csv';
  if (extension === '.parquet') return 'parquet';
  throw new DataError(`cannot tell the format from the extension '${extension}': set format: jsonl | csv | parquet`, path);
}

/** Rows of a JSONL, CSV (header row) or Parquet file as objects, streamed where the format allows. */
export async function* readTable(path: string, format?: TableFormat): AsyncGenerator<TableRow> {
  const kind = tableFormat(path, format);
  if (kind === 'jsonl') {
    for await (const { line, value } of readJsonl(path)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError('expected a JSON object', path, line);
      yield { line, value: value as Record<string, unknown> };
    }
  } else if (kind === 'csv') {
    const parser = createReadStream(path).pipe(
      parse({ columns: true, delimiter: extname(path).toLowerCase() === '.tsv' ? '\t' : ',', bom: true, info: true, relax_column_count: false, skip_empty_lines: true }),
    );
    try {
      for await (const record of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
        yield { line: record.info.lines, value: record.record };
      }
    } catch (error) {
      const line = (error as { lines?: number }).lines;
      throw new DataError(`CSV: ${(error as Error).message}`, path, line);
    }
  } else {
    let rows: Record<string, unknown>[];
    try {
      const file = await asyncBufferFromFile(path);
      rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    } catch (error) {
      throw new DataError(`Parquet: ${(error as Error).message}`, path);
    }
    let line = 0;
    for (const value of rows) yield { line: ++line, value };
  }
}
