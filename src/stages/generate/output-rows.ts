import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { JsonlAppender } from '../../data/jsonl.js';

/**
 * `generate/outputs.jsonl` while the stage runs. Rows are appended as answers arrive (a kill -9 loses at
 * most the last few milliseconds, and those answers are in the cache), and only where each row lies in
 * the file is kept in memory, not the row: over 100,000 answers that is the difference between a flat
 * memory line and one that climbs. At the end the file is rewritten in input order.
 */
export class OutputRows {
  /** Row id → slot in `offsets`/`lengths` (doubles in packed arrays: 16 bytes a row). */
  private readonly slots = new Map<string, number>();
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private size: number;
  private readonly appender: JsonlAppender;

  /**
   * Opens the file for appending. `resume` sees each row already there (parsed; the first row of an id
   * only) and says whether it still counts; rows it refuses stay in the file until the final rewrite drops
   * them. Without `resume` the file starts empty. A partial last line (the process was killed mid-write)
   * is cut off first, so appended rows start on a line of their own.
   */
  constructor(
    private readonly path: string,
    resume: ((row: { id: string }) => boolean) | undefined,
  ) {
    if (resume === undefined) {
      closeSync(openSync(path, 'w'));
      this.size = 0;
    } else {
      this.size = existsSync(path) ? cutPartialLastLine(path) : 0;
      forEachLine(path, this.size, (line, offset, length) => {
        let row: { id?: unknown };
        try {
          row = JSON.parse(line) as { id?: unknown };
        } catch {
          return; // not a row (cannot happen after the cut, unless edited by hand): asked again
        }
        if (typeof row !== 'object' || row === null || typeof row.id !== 'string' || this.slots.has(row.id)) return;
        if (resume(row as { id: string })) this.place(row.id, offset, length);
      });
    }
    this.appender = new JsonlAppender(path);
  }

  get count(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Appends a row (a later row for the same id replaces the earlier one). */
  add(id: string, line: string): void {
    const length = Buffer.byteLength(line);
    this.place(id, this.size, length);
    this.size += length + 1;
    this.appender.appendLine(line);
  }

  private place(key: string, offset: number, length: number): void {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      this.slots.set(key, this.offsets.length);
      this.offsets.push(offset);
      this.lengths.push(length);
    } else {
      this.offsets[slot] = offset;
      this.lengths[slot] = length;
    }
  }

  /** Waits for appended rows to reach the file, then rewrites it with the rows of `ids`, in that order. */
  async finish(ids: Iterable<string>): Promise<void> {
    await this.appender.close();
    const temporary = `${this.path}.tmp-${process.pid}`;
    const source = openSync(this.path, 'r');
    const target = openSync(temporary, 'w');
    try {
      // Answers arrive roughly in input order, so most rows lie in the window read last: one read per
      // megabyte rather than one per row.
      const window = new ReadWindow(source, this.size, 1 << 20);
      const out = Buffer.allocUnsafe(1 << 20);
      let used = 0;
      for (const id of ids) {
        const slot = this.slots.get(id);
        if (slot === undefined) continue;
        const row = window.read(this.offsets[slot]!, this.lengths[slot]!);
        if (used + row.length + 1 > out.length) {
          writeSync(target, out, 0, used);
          used = 0;
        }
        if (row.length + 1 > out.length) {
          writeSync(target, row); // a row longer than the buffer (long reasoning) goes on its own
          writeSync(target, '\n');
          continue;
        }
        row.copy(out, used);
        out[used + row.length] = 0x0a;
        used += row.length + 1;
      }
      writeSync(target, out, 0, used);
    } finally {
      closeSync(source);
      closeSync(target);
    }
    renameSync(temporary, this.path);
  }
}

/** Reads byte ranges of a file through one reusable window; a range outside it moves the window. */
class ReadWindow {
  private readonly buffer: Buffer;
  private start = 0;
  private end = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
    windowBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafe(windowBytes);
  }

  /** The bytes of [offset, offset + length); valid until the next call. */
  read(offset: number, length: number): Buffer {
    if (offset >= this.start && offset + length <= this.end) return this.buffer.subarray(offset - this.start, offset - this.start + length);
    if (length > this.buffer.length) {
      const row = Buffer.allocUnsafe(length);
      readExactly(this.fd, row, length, offset);
      return row;
    }
    const span = Math.min(this.buffer.length, this.size - offset);
    readExactly(this.fd, this.buffer, span, offset);
    this.start = offset;
    this.end = offset + span;
    return this.buffer.subarray(0, length);
  }
}

function readExactly(fd: number, into: Buffer, length: number, position: number): void {
  let read = 0;
  while (read < length) {
    const got = readSync(fd, into, read, length - read, position + read);
    if (got === 0) throw new Error(`outputs file ended early at byte ${position + read}`);
    read += got;
  }
}

/** Cuts the file after its last newline; returns the new size. */
function cutPartialLastLine(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      readExactly(fd, chunk, end - start, start);
      const newline = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (newline >= 0) {
        const keep = start + newline + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** Calls `visit` with each non-empty line of the first `size` bytes, and its byte offset and length. */
function forEachLine(path: string, size: number, visit: (line: string, offset: number, length: number) => void): void {
  if (size === 0) return;
  const fd = openSync(path, 'r');
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let position = 0; position < size; ) {
      const got = readSync(fd, chunk, 0, Math.min(chunk.length, size - position), position);
      if (got === 0) break;
      const data = carry.length === 0 ? chunk.subarray(0, got) : Buffer.concat([carry, chunk.subarray(0, got)]);
      const dataOffset = carry.length === 0 ? position : carryOffset;
      let start = 0;
      for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a, start)) {
        if (newline > start) visit(data.toString('utf8', start, newline), dataOffset + start, newline - start);
        start = newline + 1;
      }
      carry = Buffer.from(data.subarray(start));
      carryOffset = dataOffset + start;
      position += got;
    }
  } finally {
    closeSync(fd);
  }
}
