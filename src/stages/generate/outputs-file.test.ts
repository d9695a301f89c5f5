import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { writeFileDurably } from './outputs-file.js';

const temp = useTempDir();

describe('writeFileDurably', () => {
  it('replaces the file whole, and a rewrite that fails half-way leaves the old file and no temporary', () => {
    const path = join(temp.path(), 'outputs.jsonl');
    writeFileSync(path, 'old 1\nold 2\n');
    // What a run killed during its rewrite leaves behind: a torn temporary file.
    writeFileSync(`${path}.tmp-999999`, '{"id":"torn');
    expect(() =>
      writeFileDurably(path, (write) => {
        write('new 1\n');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(readFileSync(path, 'utf8')).toBe('old 1\nold 2\n');
    expect(readdirSync(temp.path())).toEqual(['outputs.jsonl']);
    writeFileDurably(path, (write) => {
      write('new 1\n');
      write('new 2\n');
    });
    expect(readFileSync(path, 'utf8')).toBe('new 1\nnew 2\n');
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(false);
  });
});
