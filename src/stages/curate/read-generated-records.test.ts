import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../errors.js';
import { readGeneratedRecords } from './read-generated-records.js';
import { makeRecord } from './test-records.js';

describe('readGeneratedRecords', () => {
  it('reads valid lines and names the file and line of a bad one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'records-'));
    const good = join(directory, 'good.jsonl');
    const record = makeRecord('a', 'in', 'out', { fields: { template: 't1' } });
    await writeFile(good, `${JSON.stringify(record)}\n\n`);
    expect(await readGeneratedRecords(good)).toEqual([record]);
    const bad = join(directory, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify(record)}\n${JSON.stringify({ ...record, truncated: 'no' })}\n`);
    await expect(readGeneratedRecords(bad)).rejects.toThrow(DataError);
    await expect(readGeneratedRecords(bad)).rejects.toThrow(/bad\.jsonl:2: truncated/);
  });
});
