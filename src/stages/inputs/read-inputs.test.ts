import { describe, expect, it } from 'vitest';
import { parquetWriteFile } from 'hyparquet-writer';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../errors.js';
import { useTempDir } from '../../../test/helpers/temp-dir.js';
import { readInputs } from './read-inputs.js';

const temp = useTempDir();
const base = () => ({ field: 'input', idField: 'id', keepFields: [], onError: 'stop' as const, scratchDir: join(temp.path(), 'scratch') });

describe('readInputs', () => {
  it('reads JSONL with ids or line numbers and keeps 3 < words < 40', async () => {
    const lines = [
      { id: 'a', input: 'one two three' },
      { input: 'this one has exactly four' },
      { id: 7, input: Array.from({ length: 39 }, () => 'w').join(' ') },
      { input: Array.from({ length: 40 }, () => 'w').join(' ') },
    ];
    const path = temp.write('in.jsonl', `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const result = await readInputs({ ...base(), path, words: { min: 4, max: 39 } });
    expect(result.inputs.map((input) => input.id)).toEqual(['2', '7']);
    expect(result.filtered.map((row) => row.reason)).toEqual(['words 3 < 4', 'words 40 > 39']);
    expect(result.counts.rows).toBe(4);
  });

  it('stops on a malformed row naming file:line and what is wrong', async () => {
    const path = temp.write('in.jsonl', '{"input": "fine here"}\n{"input": 42}\n');
    await expect(readInputs({ ...base(), path })).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: field 'input' must be a string, got number`));
  });

  it('stops on a line that is not JSON, even in skip mode', async () => {
    const path = temp.write('in.jsonl', '{"input": "ok"}\n{"input": "broken"\n');
    await expect(readInputs({ ...base(), path, onError: 'skip' })).rejects.toThrow(DataError);
    await expect(readInputs({ ...base(), path, onError: 'skip' })).rejects.toThrow(/in\.jsonl:2: not valid JSON/);
  });

  it('sets malformed rows aside with on_error: skip, and catches duplicate ids', async () => {
    const path = temp.write('in.jsonl', ['{"id":"x","input":"first"}', '{"id":"y"}', '{"id":"x","input":"again"}', '{"id":"z","input":"last"}'].join('\n'));
    const result = await readInputs({ ...base(), path, onError: 'skip' });
    expect(result.inputs.map((input) => input.id)).toEqual(['x', 'z']);
    expect(result.rejected.map((row) => [row.line, row.error])).toEqual([
      [2, "missing field 'input'"],
      [3, "duplicate id 'x' (first seen on line 1)"],
    ]);
  });

  it('reads CSV with a header row and keeps extra fields', async () => {
    const path = temp.write('in.csv', 'id,sentence,category\n1,"Hello, world again",greeting\n2,Second row here,other\n');
    const result = await readInputs({ ...base(), path, field: 'sentence', keepFields: ['category'] });
    expect(result.inputs).toEqual([
      { id: '1', input: 'Hello, world again', fields: { category: 'greeting' } },
      { id: '2', input: 'Second row here', fields: { category: 'other' } },
    ]);
  });

  it('names the line of a ragged CSV row', async () => {
    const path = temp.write('in.csv', 'id,input\n1,fine\n2,too,many\n');
    await expect(readInputs({ ...base(), path })).rejects.toThrow(/in\.csv:3/);
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
    const result = await readInputs({ ...base(), path, chars: { min: 2 } });
    expect(result.inputs.map((input) => input.id)).toEqual(['p1', 'p2']);
    expect(result.filtered).toEqual([{ id: 'p3', input: 'x', reason: 'chars 1 < 2' }]);
  });

  it('refuses an extension it cannot read', async () => {
    const path = temp.write('in.xlsx', '');
    await expect(readInputs({ ...base(), path })).rejects.toThrow(/set format: jsonl \| csv \| parquet/);
  });

  it('reads gzip and zstd compressed JSONL and gzip CSV, streaming', async () => {
    const rows = Array.from({ length: 3000 }, (_, index) => ({ id: `r${index}`, input: `compressed row number ${index}` }));
    const plain = temp.write('in.jsonl', rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    temp.write('in.jsonl.gz', '');
    execFileSync('zstd', ['-q', '-f', plain, '-o', `${plain}.zst`]);
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(`${plain}.gz`, gzipSync(readFileSync(plain)));
    const csv = join(temp.path(), 'in.csv.gz');
    writeFileSync(csv, gzipSync('id,input\nc1,"a csv row, compressed"\n'));
    for (const path of [`${plain}.gz`, `${plain}.zst`]) {
      const result = await readInputs({ ...base(), path });
      expect(result.inputs).toHaveLength(3000);
      expect(result.inputs[2999]).toEqual({ id: 'r2999', input: 'compressed row number 2999' });
    }
    expect((await readInputs({ ...base(), path: csv })).inputs).toEqual([{ id: 'c1', input: 'a csv row, compressed' }]);
  });

  it('names the file when a compressed file is corrupt', async () => {
    const path = temp.write('bad.jsonl.zst', 'this is not zstd at all');
    await expect(readInputs({ ...base(), path })).rejects.toThrow(/bad\.jsonl\.zst.*zstd|zstd.*bad\.jsonl\.zst/);
  });

  it('reads Parquet one row group at a time, numbering rows across groups', async () => {
    const path = join(temp.path(), 'groups.parquet');
    const count = 250;
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 'id', data: Array.from({ length: count }, (_, index) => `g${index}`) },
        { name: 'input', data: Array.from({ length: count }, (_, index) => (index === 180 ? null : `row ${index}`)) },
      ],
      rowGroupSize: 100,
    });
    const { parquetMetadataAsync, asyncBufferFromFile } = await import('hyparquet');
    expect((await parquetMetadataAsync(await asyncBufferFromFile(path))).row_groups).toHaveLength(3);
    const result = await readInputs({ ...base(), path, onError: 'skip' });
    expect(result.inputs).toHaveLength(249);
    expect(result.inputs.at(-1)).toEqual({ id: 'g249', input: 'row 249' });
    expect(result.rejected.map((row) => [row.line, row.error])).toEqual([[181, "missing field 'input'"]]);
  });

  it('dedups exact input texts, first one kept, with a digest set that spills to SQLite', async () => {
    const texts = Array.from({ length: 600 }, (_, index) => `text ${(index * 7919) % 250}`);
    const path = temp.write('dups.jsonl', texts.map((input) => JSON.stringify({ input })).join('\n'));
    const result = await readInputs({ ...base(), path, dedup: true, memoryEntries: 32 });
    const firstLine = new Map<string, number>();
    texts.forEach((text, index) => firstLine.has(text) || firstLine.set(text, index + 1));
    expect(result.inputs.map((row) => row.input)).toEqual([...firstLine.keys()]);
    expect(result.counts.duplicates).toBe(350);
    expect(result.filtered[0]).toEqual({ id: '251', input: texts[250], reason: `duplicate of line ${firstLine.get(texts[250]!)}` });
    expect(result.filtered.every((row) => row.reason === `duplicate of line ${firstLine.get(row.input)}`)).toBe(true);
  });

  it('catches a duplicate id far apart after the id set spilled, and an explicit id equal to an earlier line number', async () => {
    const rows = Array.from({ length: 400 }, (_, index) => JSON.stringify({ id: `x${index}`, input: `row ${index}` }));
    rows.push(JSON.stringify({ id: 'x3', input: 'again' }));
    const path = temp.write('ids.jsonl', rows.join('\n'));
    await expect(readInputs({ ...base(), path, memoryEntries: 32 })).rejects.toThrow(/ids\.jsonl:401: duplicate id 'x3' \(first seen on line 4\)/);
    const mixed = temp.write('mixed.jsonl', ['{"input":"no id, so id 1"}', '{"input":"no id, so id 2"}', '{"id":2,"input":"explicit 2"}'].join('\n'));
    await expect(readInputs({ ...base(), path: mixed })).rejects.toThrow(/mixed\.jsonl:3: duplicate id '2' \(first seen on line 2\)/);
  });

  it('samples n rows after the filters, the same rows for the same seed, in file order', async () => {
    const lines = Array.from({ length: 1000 }, (_, index) => JSON.stringify({ id: `s${index}`, input: index % 10 === 0 ? 'short' : `a row with enough words ${index}` }));
    const path = temp.write('sample.jsonl', lines.join('\n'));
    const options = { ...base(), path, words: { min: 3 }, sample: { n: 50, seed: 7 } };
    const first = await readInputs(options);
    const again = await readInputs(options);
    const other = await readInputs({ ...options, sample: { n: 50, seed: 8 } });
    expect(first.inputs).toHaveLength(50);
    expect(again.inputs).toEqual(first.inputs);
    expect(other.inputs.map((row) => row.id)).not.toEqual(first.inputs.map((row) => row.id));
    expect(first.inputs.every((row) => row.input !== 'short')).toBe(true);
    const positions = first.inputs.map((row) => Number(row.id.slice(1)));
    expect(positions).toEqual([...positions].sort((left, right) => left - right));
    expect(first.counts).toMatchObject({ rows: 1000, filtered: 100, kept: 50, sampled_out: 850 });
    expect((await readInputs({ ...options, sample: { n: 5000, seed: 7 } })).inputs).toHaveLength(900);
  });

  it('takes imported teacher answers from output_field, with reasoning and truncation columns', async () => {
    const path = temp.write('answers.jsonl', [
      JSON.stringify({ id: 'a', input: 'fix this', answer: 'Fix this.', why: 'capital', finish_reason: 'stop' }),
      JSON.stringify({ id: 'b', input: 'and this', answer: 'And th', finish_reason: 'length' }),
      JSON.stringify({ id: 'c', input: 'no answer' }),
    ].join('\n'));
    const options = { ...base(), path, imported: { output_field: 'answer', reasoning_field: 'why' }, onError: 'skip' as const };
    const result = await readInputs(options);
    expect(result.inputs).toEqual([
      { id: 'a', input: 'fix this', imported: { output: 'Fix this.', reasoning: 'capital', finish_reason: 'stop', truncated: false } },
      { id: 'b', input: 'and this', imported: { output: 'And th', reasoning: null, finish_reason: 'length', truncated: true } },
    ]);
    expect(result.rejected.map((row) => row.error)).toEqual(["field 'answer' (the imported answer) must be a string, got nothing"]);
  });

  it('reads chat logs: the last assistant message is the answer, the last user message before it the input', async () => {
    const path = temp.write('chats.jsonl', [
      JSON.stringify({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi there' }, { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] }] }),
      JSON.stringify({ id: 'z', messages: [{ role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'q2' }, { role: 'assistant', content: 'a2', reasoning_content: 'think' }], finish_reason: 'stop' }),
      JSON.stringify({ messages: [{ role: 'user', content: 'unanswered' }] }),
    ].join('\n'));
    const result = await readInputs({ ...base(), path, format: 'chat', onError: 'skip' });
    expect(result.inputs).toEqual([
      { id: '1', input: 'hi there', imported: { output: 'Hello.', reasoning: null, finish_reason: null, truncated: false, prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi there' }] } },
      {
        id: 'z',
        input: 'q2',
        imported: { output: 'a2', reasoning: 'think', finish_reason: 'stop', truncated: false, prompt: [{ role: 'user', content: 'q1' }, { role: 'assistant', content: 'a1' }, { role: 'user', content: 'q2' }] },
      },
    ]);
    expect(result.rejected.map((row) => [row.line, row.error])).toEqual([[3, 'no assistant message (the answer) in messages']]);
  });
});
