import { extname } from 'node:path';
import { parse } from 'csv-parse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { DataError } from '../errors.js';
import { compressionOf, openDecompressed } from './decompressed-stream.js';
import { readJsonlBatches } from './jsonl.js';

export type TableFormat = 'jsonl' | 'csv' | 'parquet';

export interface TableRow {
  /** 1-based line (JSONL, CSV: the record's first line) or row number (Parquet). */
  line: number;
  value: Record<string, unknown>;
}

export function tableFormat(path: string, explicit?: TableFormat): TableFormat {
  if (explicit) return explicit;
  const extension = extname(compressionOf(path).inner).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson' || extension === '.json') return 'jsonl';
  if (extension === '.csv' || extension === '.tsv') return 'csv';
  if (extension === '.parquet') return 'parquet';
  throw new DataError(`cannot tell the format from the extension '${extension}': set format: jsonl | csv | parquet`, path);
}

/**
 * Rows of a JSONL, CSV (header row) or Parquet file as objects, streamed: JSONL and CSV line by line (also
 * `.gz`/`.zst`), Parquet one row group at a time, so memory does not grow with the file.
 */
export async function* readTable(path: string, format?: TableFormat): AsyncGenerator<TableRow> {
  for await (const batch of readTableBatches(path, format)) yield* batch;
}

/** `readTable` in arrays of rows (a JSONL chunk, up to 1,000 CSV records, a Parquet row group): for loops over millions of rows. */
export async function* readTableBatches(path: string, format?: TableFormat): AsyncGenerator<TableRow[]> {
  const kind = tableFormat(path, format);
  if (kind === 'jsonl') {
    for await (const lines of readJsonlBatches(path)) {
      yield lines.map(({ line, value }) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError('expected a JSON object', path, line);
        return { line, value: value as Record<string, unknown> };
      });
    }
  } else if (kind === 'csv') {
    const parser = openDecompressed(path).pipe(
      parse({ columns: true, delimiter: extname(compressionOf(path).inner).toLowerCase() === '.tsv' ? '\t' : ',', bom: true, info: true, relax_column_count: false, skip_empty_lines: true }),
    );
    let batch: TableRow[] = [];
    try {
      for await (const record of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
        batch.push({ line: record.info.lines, value: record.record });
        if (batch.length === 1000) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      const line = (error as { lines?: number }).lines;
      throw new DataError(`CSV: ${(error as Error).message}`, path, line);
    }
    if (batch.length > 0) yield batch;
  } else {
    yield* readParquetRowGroups(path);
  }
}

async function* readParquetRowGroups(path: string): AsyncGenerator<TableRow[]> {
  const fail = (error: unknown): DataError => new DataError(`Parquet: ${(error as Error).message}`, path);
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw fail(error);
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = (await parquetReadObjects({ file, metadata, rowStart, rowEnd })) as Record<string, unknown>[];
    } catch (error) {
      throw fail(error);
    }
    const first = rowStart;
    yield rows.map((value, index) => ({ line: first + index + 1, value }));
    rowStart = rowEnd;
  }
}
