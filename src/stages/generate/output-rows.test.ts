import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { OutputRows } from './output-rows.js';

const temp = useTempDir();
const row = (id: string, output: string) => JSON.stringify({ id, input: `in ${id}`, output });
const read = (path: string) => readFileSync(path, 'utf8');

describe('OutputRows', () => {
  it('appends rows as they come and rewrites them in input order, multi-byte text included', async () => {
    const path = join(temp.path(), 'outputs.jsonl');
    const rows = new OutputRows(path, undefined);
    rows.add('c', row('c', 'straße ✓'));
    rows.add('a', row('a', '日本語'));
    rows.add('b', row('b', 'plain'));
    expect(rows.count).toBe(3);
    expect(rows.has('a')).toBe(true);
    expect(rows.has('z')).toBe(false);
    await rows.finish(['a', 'b', 'c', 'missing']);
    expect(read(path)).toBe(`${row('a', '日本語')}\n${row('b', 'plain')}\n${row('c', 'straße ✓')}\n`);
  });

  it('keeps the latest row of an id, and copies rows longer than its buffer', async () => {
    const path = join(temp.path(), 'outputs.jsonl');
    const rows = new OutputRows(path, undefined);
    const long = row('long', 'x'.repeat(3 << 20));
    rows.add('a', row('a', 'first'));
    rows.add('long', long);
    rows.add('a', row('a', 'second'));
    await rows.finish(['long', 'a']);
    expect(read(path)).toBe(`${long}\n${row('a', 'second')}\n`);
  });

  it('resumes: cuts a line a kill left half-written, keeps the rows the caller accepts, appends after them', async () => {
    const path = join(temp.path(), 'outputs.jsonl');
    writeFileSync(path, `${row('a', 'kept')}\n${row('b', 'stale')}\n${row('a', 'duplicate')}\n`);
    appendFileSync(path, row('c', 'cut short').slice(0, 20));
    const seen: string[] = [];
    const rows = new OutputRows(path, (candidate) => {
      seen.push(candidate.id);
      return candidate.id !== 'b';
    });
    expect(seen).toEqual(['a', 'b']); // the first row of an id only; the partial line is gone
    expect(rows.count).toBe(1);
    expect(read(path).endsWith('\n')).toBe(true);
    rows.add('c', row('c', 'whole'));
    rows.add('b', row('b', 'fresh'));
    await rows.finish(['a', 'b', 'c']);
    expect(read(path)).toBe(`${row('a', 'kept')}\n${row('b', 'fresh')}\n${row('c', 'whole')}\n`);
  });

  it('starts empty when not resuming, and when the file holds only a partial line', async () => {
    const path = join(temp.path(), 'outputs.jsonl');
    writeFileSync(path, `${row('a', 'old')}\n`);
    const fresh = new OutputRows(path, undefined);
    expect(fresh.count).toBe(0);
    await fresh.finish(['a']);
    expect(read(path)).toBe('');
    writeFileSync(path, '{"id":"a","inp');
    const resumed = new OutputRows(path, () => true);
    expect(resumed.count).toBe(0);
    resumed.add('a', row('a', 'new'));
    await resumed.finish(['a']);
    expect(read(path)).toBe(`${row('a', 'new')}\n`);
  });
});
