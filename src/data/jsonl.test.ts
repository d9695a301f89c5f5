import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { readJsonl } from './jsonl.js';

const temp = useTempDir();

describe('readJsonl', () => {
  it('reads LF and CRLF lines, skips blank ones, keeps line numbers, and a last line without a newline', async () => {
    const path = temp.write('mixed.jsonl', '{"a":1}\r\n\r\n{"a":2}\n  \n{"a":3}');
    const lines = [];
    for await (const line of readJsonl(path)) lines.push(line);
    expect(lines).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { a: 2 } },
      { line: 5, value: { a: 3 } },
    ]);
  });

  it('keeps multi-byte characters whole across read chunks, and names the line that is not JSON', async () => {
    // ~3 MB of 3- and 4-byte characters: chunk boundaries (1 MB) fall inside characters somewhere.
    const rows = Array.from({ length: 30_000 }, (_, index) => ({ index, text: `日本語のテキスト🙂 ${index} `.repeat(3) }));
    const path = temp.write('wide.jsonl', `${rows.map((row) => JSON.stringify(row)).join('\n')}\n{"broken": \n`);
    const read: unknown[] = [];
    await expect(
      (async () => {
        for await (const { value } of readJsonl(path)) read.push(value);
      })(),
    ).rejects.toThrow(/wide\.jsonl:30001: not valid JSON/);
    expect(read.length).toBeGreaterThan(20_000); // all but the chunk with the broken line
    expect(read).toEqual(rows.slice(0, read.length));
  });
});
