import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { z } from 'zod';

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Line offsets of a JSONL file, so a page of rows is read by seeking instead of parsing the whole file.
 * Built by one streaming pass; a file that grew since (a stage still writing) is indexed from where the last
 * pass stopped, a file that shrank or was replaced is indexed again. A torn last line waits for its newline.
 */
export class JsonlIndex {
  /** Byte offset where row i starts; row i ends before starts[i + 1] (its newline, and any blank lines after it). */
  private starts: number[] = [];
  private indexedBytes = 0;
  private modified = 0;
  private inode = -1;
  /** Bumped whenever the rows seen so far are no longer valid (the file was replaced): caches built on them start over. */
  generation = 0;
  private lowered: { text: string; starts: Int32Array } | undefined;

  constructor(readonly path: string) {}

  /** Rows indexed now (after bringing the index up to date with the file). */
  count(): number {
    this.refresh();
    return Math.max(0, this.starts.length - 1);
  }

  /** Rows `rows` parsed, in the order given; a line that is not JSON comes back as `{ unreadable: text }`. */
  read(rows: readonly number[]): unknown[] {
    if (rows.length === 0) return [];
    const descriptor = openSync(this.path, 'r');
    try {
      return rows.map((row) => {
        const text = this.readLine(descriptor, row);
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return { unreadable: text };
        }
      });
    } finally {
      closeSync(descriptor);
    }
  }

  /**
   * Rows whose text contains `query`, case-insensitively. The lowered text of every row is kept after the first
   * search as one string (a search box is typed into again and again, and one `indexOf` over one string is far
   * faster than a test per row); it is rebuilt when the file changes.
   */
  search(query: string, among?: readonly number[]): number[] {
    const needle = query.toLowerCase().replace(/\n/g, ' ');
    const { text, starts } = this.loweredText();
    const found: number[] = [];
    if (among !== undefined) {
      for (const row of among) if (text.slice(starts[row]!, starts[row + 1]!).includes(needle)) found.push(row);
      return found;
    }
    for (let at = text.indexOf(needle); at !== -1; ) {
      const row = rowAt(starts, at);
      found.push(row);
      at = text.indexOf(needle, starts[row + 1]!);
    }
    return found;
  }

  /** Every row's raw text in order from row `from`, read in large chunks (for facets and search). */
  forEachLine(visit: (text: string, row: number) => void, from = 0): void {
    const total = this.count();
    if (total === 0) return;
    const descriptor = openSync(this.path, 'r');
    try {
      let buffer = Buffer.alloc(0);
      let bufferStart = 0;
      for (let row = from; row < total; row++) {
        const start = this.starts[row]!;
        const end = this.starts[row + 1]!;
        if (end > bufferStart + buffer.length) {
          buffer = Buffer.alloc(Math.max(CHUNK, end - start));
          bufferStart = start;
          const length = readSync(descriptor, buffer, 0, Math.min(buffer.length, this.starts[total]! - start), start);
          buffer = buffer.subarray(0, length);
        }
        visit(buffer.toString('utf8', start - bufferStart, end - bufferStart).trimEnd(), row);
      }
    } finally {
      closeSync(descriptor);
    }
  }

  /** Every row that is JSON and fits `schema`, in order; others (a torn last line, a foreign row) are skipped. */
  values<T>(schema: z.ZodType<T>): T[] {
    const values: T[] = [];
    this.forEachLine((text) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return;
      }
      const parsed = schema.safeParse(value);
      if (parsed.success) values.push(parsed.data);
    });
    return values;
  }

  private loweredText(): { text: string; starts: Int32Array } {
    const count = this.count();
    if (this.lowered === undefined || this.lowered.starts.length !== count + 1) {
      const parts: string[] = [];
      const starts = new Int32Array(count + 1);
      let length = 0;
      this.forEachLine((text, row) => {
        const lower = text.toLowerCase(); // may differ in length from text (e.g. 'İ')
        starts[row] = length;
        parts.push(lower);
        length += lower.length + 1;
      });
      starts[count] = length;
      this.lowered = { text: parts.join('\n'), starts };
    }
    return this.lowered;
  }

  private readLine(descriptor: number, row: number): string {
    const start = this.starts[row]!;
    const buffer = Buffer.alloc(this.starts[row + 1]! - start);
    readSync(descriptor, buffer, 0, buffer.length, start);
    return buffer.toString('utf8').trimEnd();
  }

  private refresh(): void {
    if (!existsSync(this.path)) {
      this.reset();
      return;
    }
    const stats = statSync(this.path);
    if (stats.size === this.indexedBytes && stats.mtimeMs === this.modified && stats.ino === this.inode) return;
    // Appended to: continue from the last complete line. Replaced (a new file renamed over it: the stages write
    // atomically), shrunk, or rewritten in place: start over.
    if (stats.ino !== this.inode || stats.size < this.indexedBytes || !this.prefixUnchanged()) this.reset();
    this.modified = stats.mtimeMs;
    this.inode = stats.ino;
    this.scan(stats.size);
  }

  /** A rewrite in place: the last indexed line must still end where it ended. */
  private prefixUnchanged(): boolean {
    if (this.indexedBytes === 0) return true;
    const descriptor = openSync(this.path, 'r');
    try {
      const byte = Buffer.alloc(1);
      readSync(descriptor, byte, 0, 1, this.indexedBytes - 1);
      return byte[0] === NEWLINE;
    } finally {
      closeSync(descriptor);
    }
  }

  private reset(): void {
    if (this.indexedBytes > 0) this.generation++;
    this.starts = [];
    this.indexedBytes = 0;
    this.modified = 0;
    this.inode = -1;
    this.lowered = undefined;
  }

  private scan(size: number): void {
    if (this.starts.length === 0) this.starts.push(0);
    const descriptor = openSync(this.path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK);
      let position = this.indexedBytes;
      let blankFrom = this.indexedBytes;
      while (position < size) {
        const length = readSync(descriptor, buffer, 0, Math.min(CHUNK, size - position), position);
        if (length === 0) break;
        for (let at = buffer.indexOf(NEWLINE, 0); at !== -1 && at < length; at = buffer.indexOf(NEWLINE, at + 1)) {
          const next = position + at + 1;
          // A blank line (only the newline) is no row: move its start instead of adding one.
          if (next - blankFrom <= 1 || (next - blankFrom === 2 && this.isCarriageReturn(descriptor, blankFrom))) this.starts[this.starts.length - 1] = next;
          else this.starts.push(next);
          blankFrom = next;
          this.indexedBytes = next;
        }
        position += length;
      }
    } finally {
      closeSync(descriptor);
    }
  }

  private isCarriageReturn(descriptor: number, offset: number): boolean {
    const byte = Buffer.alloc(1);
    readSync(descriptor, byte, 0, 1, offset);
    return byte[0] === 0x0d;
  }
}

/** The row whose [start, next start) holds character `at`: binary search over ascending starts. */
function rowAt(starts: Int32Array, at: number): number {
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= at) low = middle;
    else high = middle - 1;
  }
  return low;
}
