import { createWriteStream, existsSync, readFileSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { DataError } from '../errors.js';
import { openDecompressed } from './decompressed-stream.js';

export interface JsonlLine {
  /** 1-based line number in the file. */
  line: number;
  value: unknown;
}

/**
 * Streams a JSONL file (`.gz` and `.zst` decompressed on the fly); a line that is not JSON is a DataError
 * naming `file:line`. Blank lines are skipped.
 */
export async function* readJsonl(path: string): AsyncGenerator<JsonlLine> {
  for await (const batch of readJsonlBatches(path)) yield* batch;
}

/**
 * The lines of a JSONL file parsed, one array per chunk read (about 1 MB): at corpus scale one await per
 * line costs more than the parsing (promises and generator hops for every row), one per chunk does not.
 * Lines end in LF or CRLF; the stream's decoder keeps a UTF-8 character split across chunks whole.
 */
export async function* readJsonlBatches(path: string): AsyncGenerator<JsonlLine[]> {
  const input = openDecompressed(path).setEncoding('utf8');
  let carry = '';
  let line = 0;
  const parse = (text: string, batch: JsonlLine[]): void => {
    line++;
    const content = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (content.trim() === '') return;
    try {
      batch.push({ line, value: JSON.parse(content) });
    } catch (error) {
      throw new DataError(`not valid JSON (${(error as Error).message})`, path, line);
    }
  };
  for await (const chunk of input as AsyncIterable<string>) {
    const text = carry + chunk;
    const batch: JsonlLine[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      parse(text.slice(start, end), batch);
      start = end + 1;
    }
    carry = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  if (carry !== '') {
    const batch: JsonlLine[] = [];
    parse(carry, batch);
    if (batch.length > 0) yield batch;
  }
}

/**
 * Reads a JSONL file that this program appends to, tolerating a torn last line (a kill -9 mid-write):
 * the torn line is dropped, every complete line is returned.
 */
export function readJsonlTolerant(path: string): unknown[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const values: unknown[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      const isLast = index === lines.length - 1 || (index === lines.length - 2 && lines[lines.length - 1] === '');
      if (!isLast) throw new DataError(`not valid JSON (${(error as Error).message})`, path, index + 1);
    }
  });
  return values;
}

export async function readJsonlArray(path: string): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const { value } of readJsonl(path)) values.push(value);
  return values;
}

/** Writes a whole file atomically (temp file + rename), so a crash never leaves half a file behind. */
export function writeJsonlAtomic(path: string, values: Iterable<unknown>): void {
  const parts: string[] = [];
  for (const value of values) parts.push(JSON.stringify(value));
  writeFileAtomic(path, parts.length === 0 ? '' : `${parts.join('\n')}\n`);
}

export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * An append-only JSONL writer. Lines are gathered and written every `flushMs` (one syscall for many answers
 * instead of one each); a crash loses at most those milliseconds, and only whole lines reach the file.
 */
export class JsonlAppender {
  private readonly stream: WriteStream;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    path: string,
    private readonly flushMs = 20,
  ) {
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  append(value: unknown): void {
    this.appendLine(JSON.stringify(value));
  }

  appendLine(line: string): void {
    this.pending.push(line);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.stream.write(`${this.pending.join('\n')}\n`);
    this.pending = [];
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
