import { describe, expect, it } from 'vitest';
import { parquetWriteFile } from 'hyparquet-writer';
import { join } from 'node:path';
import { DataError } from '../../errors.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { readInputs } from './read-inputs.js';

const temp = useTempDir();
const base = { field: 'input', idField: 'id', keepFields: [], onError: 'stop' as const };

describe('readInputs', () => {
  it('reads JSONL with ids or line numbers and keeps 3 < words < 40', async () => {
    const lines = [
      { id: 'a', input: 'one two three' },
      { input: 'this one has exactly four' },
      { id: 7, input: Array.from({ length: 39 }, () => 'w').join(' ') },
      { input: Array.from({ length: 40 }, () => 'w').join(' ') },
    ];
    const path = temp.write('in.jsonl', `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const result = await readInputs({ ...base, path, words: { min: 4, max: 39 } });
    expect(result.inputs.map((input) => input.id)).toEqual(['2', '7']);
    expect(result.filtered.map((row) => row.reason)).toEqual(['words 3 < 4', 'words 40 > 39']);
    expect(result.rows).toBe(4);
  });

  it('stops on a malformed row naming file:line and what is wrong', async () => {
    const path = temp.write('in.jsonl', '{"input": "fine here"}\n{"input": 42}\n');
    await expect(readInputs({ ...base, path })).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: field 'input' must be a string, got number`));
  });

  it('stops on a line that is not JSON, even in skip mode', async () => {
    const path = temp.write('in.jsonl', '{"input": "ok"}\n{"input": "broken"\n');
    await expect(readInputs({ ...base, path, onError: 'skip' })).rejects.toThrow(DataError);
    await expect(readInputs({ ...base, path, onError: 'skip' })).rejects.toThrow(/in\.jsonl:2: not valid JSON/);
  });

  it('sets malformed rows aside with on_error: skip, and catches duplicate ids', async () => {
    const path = temp.write('in.jsonl', ['{"id":"x","input":"first"}', '{"id":"y"}', '{"id":"x","input":"again"}', '{"id":"z","input":"last"}'].join('\n'));
    const result = await readInputs({ ...base, path, onError: 'skip' });
    expect(result.inputs.map((input) => input.id)).toEqual(['x', 'z']);
    expect(result.rejected.map((row) => [row.line, row.error])).toEqual([
      [2, "missing field 'input'"],
      [3, "duplicate id 'x' (first seen on line 1)"],
    ]);
  });

  it('reads CSV with a header row and keeps extra fields', async () => {
    const path = temp.write('in.csv', 'id,sentence,category\n1,"Hello, world again",greeting\n2,Second row here,other\n');
    const result = await readInputs({ ...base, path, field: 'sentence', keepFields: ['category'] });
    expect(result.inputs).toEqual([
      { id: '1', input: 'Hello, world again', fields: { category: 'greeting' } },
      { id: '2', input: 'Second row here', fields: { category: 'other' } },
    ]);
  });

  it('names the line of a ragged CSV row', async () => {
    const path = temp.write('in.csv', 'id,input\n1,fine\n2,too,many\n');
    await expect(readInputs({ ...base, path })).rejects.toThrow(/in\.csv:3/);
  });

  it('reads Parquet', async () => {
    const path = join(temp.path(), 'in.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 'id', data: ['p1', 'p2', 'p3'] },
        { name: 'input', data: ['a parquet row', 'another parquet row', 'x'] },
      ],
    });
    const result = await readInputs({ ...base, path, chars: { min: 2 } });
    expect(result.inputs.map((input) => input.id)).toEqual(['p1', 'p2']);
    expect(result.filtered).toEqual([{ id: 'p3', input: 'x', reason: 'chars 1 < 2' }]);
  });

  it('refuses an extension it cannot read', async () => {
    const path = temp.write('in.xlsx', '');
    await expect(readInputs({ ...base, path })).rejects.toThrow(/set format: jsonl \| csv \| parquet/);
  });
});
