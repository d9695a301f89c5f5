import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * Writes a JSONL file row by row to `path.tmp-PID`, in 1 MB writes, and renames it into place on `commit`: the
 * file never exists half-written, and memory holds one buffer whatever the row count. Writes are synchronous,
 * so a fast producer cannot outrun the disk and pile rows up in memory.
 */
export class JsonlFileWriter {
  private readonly temporary: string;
  private readonly descriptor: number;
  private buffer: string[] = [];
  private bufferedChars = 0;
  rows = 0;

  constructor(
    private readonly path: string,
    private readonly bufferChars = 1 << 20,
  ) {
    this.temporary = `${path}.tmp-${process.pid}`;
    this.descriptor = openSync(this.temporary, 'w');
  }

  write(value: unknown): void {
    const line = JSON.stringify(value);
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    this.rows++;
    if (this.bufferedChars >= this.bufferChars) this.flush();
  }

  commit(): void {
    this.flush();
    closeSync(this.descriptor);
    renameSync(this.temporary, this.path);
  }

  /** Closes and removes the temporary file (a failed stage leaves the previous file, if any, as it was). */
  discard(): void {
    try {
      closeSync(this.descriptor);
    } catch {
      // already closed by commit
    }
    rmSync(this.temporary, { force: true });
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.descriptor, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.bufferedChars = 0;
  }
}
