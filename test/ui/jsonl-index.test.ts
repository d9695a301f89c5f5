import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FacetIndex } from '../../src/ui/facet-index.js';
import { JsonlIndex } from '../../src/ui/jsonl-index.js';
import { pageOf, selectRows, stepRange } from '../../src/ui/row-selection.js';
import { useTempDir } from '../helpers/temp-dir.js';

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('JsonlIndex', () => {
  const directory = useTempDir();

  it('reads any row by its offset, skipping blank lines, and a line that is not JSON comes back marked', () => {
    const file = directory.write('rows.jsonl', `${line({ id: 'a' })}\n${line({ id: 'b', text: 'ünïcödé İstanbul' })}\r\nnot json\n${line({ id: 'c' })}`);
    const index = new JsonlIndex(file);
    expect(index.count()).toBe(4);
    expect(index.read([3, 0, 1])).toEqual([{ id: 'c' }, { id: 'a' }, { id: 'b', text: 'ünïcödé İstanbul' }]);
    expect(index.read([2])).toEqual([{ unreadable: 'not json' }]);
  });

  it('follows a file being appended to, waiting for a torn last line to end', () => {
    const file = directory.write('grow.jsonl', line({ id: 1 }));
    const index = new JsonlIndex(file);
    expect(index.count()).toBe(1);
    appendFileSync(file, `${line({ id: 2 })}{"id": 3, "te`);
    expect(index.count()).toBe(2);
    appendFileSync(file, 'xt": "late"}\n');
    expect(index.count()).toBe(3);
    expect(index.read([2])).toEqual([{ id: 3, text: 'late' }]);
  });

  it('indexes a file replaced by another (rename) again instead of reading stale offsets', () => {
    const file = directory.write('swap.jsonl', line({ id: 'old-1', pad: 'x'.repeat(50) }) + line({ id: 'old-2' }));
    const index = new JsonlIndex(file);
    expect(index.count()).toBe(2);
    const replacement = join(directory.path(), 'new.jsonl');
    writeFileSync(replacement, line({ id: 'new-1' }) + line({ id: 'new-2' }) + line({ id: 'new-3', pad: 'y'.repeat(80) }));
    renameSync(replacement, file);
    expect(index.count()).toBe(3);
    expect(index.read([0, 2])).toEqual([{ id: 'new-1' }, { id: 'new-3', pad: 'y'.repeat(80) }]);
  });

  it('searches case-insensitively, with characters whose lower case is longer, and within a selection', () => {
    const rows = ['İİİ first', 'Second ROW', 'third row', 'fourth'].map((text, id) => line({ id, text }));
    const file = directory.write('search.jsonl', rows.join(''));
    const index = new JsonlIndex(file);
    expect(index.search('row')).toEqual([1, 2]);
    expect(index.search('second row')).toEqual([1]);
    expect(index.search('fourth')).toEqual([3]);
    expect(index.search('row', [0, 2, 3])).toEqual([2]);
    expect(index.search('"id":')).toEqual([0, 1, 2, 3]);
    expect(index.search('absent')).toEqual([]);
    appendFileSync(file, line({ id: 4, text: 'a fifth row' }));
    expect(index.search('row')).toEqual([1, 2, 4]);
  });

  it('reads rows across the chunk boundary of its buffered passes', () => {
    const big = Array.from({ length: 3000 }, (_, id) => line({ id, text: `row ${id} ${'z'.repeat(id % 900)}` })).join('');
    const file = directory.write('big.jsonl', big);
    const index = new JsonlIndex(file);
    const seen: number[] = [];
    index.forEachLine((text, row) => {
      if ((JSON.parse(text) as { id: number }).id !== row) throw new Error(`row ${row} read as ${text.slice(0, 30)}`);
      seen.push(row);
    });
    expect(seen.length).toBe(3000);
    expect(index.search('row 2999 ')).toEqual([2999]);
  });
});

describe('row selection', () => {
  const directory = useTempDir();
  const funnel = { raw: 10, steps: [{ filter: 'drop_truncated', kept: 9, dropped: 1 }, { filter: 'dedup', kept: 6, dropped: 3 }, { filter: 'length', kept: 4, dropped: 2 }], kept: 4 };

  it('finds the rows a funnel step dropped from the funnel order', () => {
    expect(stepRange(funnel, 'drop_truncated')).toEqual([0, 1]);
    expect(stepRange(funnel, 'dedup')).toEqual([1, 4]);
    expect(stepRange(funnel, 'length')).toEqual([4, 6]);
    expect(stepRange(funnel, 'absent')).toBeUndefined();
  });

  it('combines reason, step and search, and pages the result', () => {
    const reasons = ['truncated', 'exact_duplicate', 'near_duplicate', 'exact_duplicate', 'length', 'length'];
    const file = directory.write('dropped.jsonl', reasons.map((reason, id) => line({ id, reason, output: id % 2 === 0 ? 'even' : 'odd' })).join(''));
    const rows = new JsonlIndex(file);
    const facet = new FacetIndex(rows, (row) => (row as { reason: string }).reason);
    expect(facet.counts()).toEqual([{ value: 'truncated', count: 1 }, { value: 'exact_duplicate', count: 2 }, { value: 'near_duplicate', count: 1 }, { value: 'length', count: 2 }]);
    expect(selectRows(rows, {}, facet, funnel)).toBeUndefined();
    expect(selectRows(rows, { facetValue: 'exact_duplicate' }, facet, funnel)).toEqual([1, 3]);
    expect(selectRows(rows, { step: 'dedup' }, facet, funnel)).toEqual([1, 2, 3]);
    expect(selectRows(rows, { step: 'dedup', search: 'even' }, facet, funnel)).toEqual([2]);
    expect(selectRows(rows, { facetValue: 'missing' }, facet, funnel)).toEqual([]);
    expect(pageOf(rows, undefined, 2, 4)).toEqual({ rowNumbers: [4, 5], total: 6, page: 2 });
    expect(pageOf(rows, [1, 3], 1, 4)).toEqual({ rowNumbers: [1, 3], total: 2, page: 1 });
    expect(pageOf(rows, [1, 3], 9, 4)).toEqual({ rowNumbers: [1, 3], total: 2, page: 1 });
    expect(pageOf(rows, [], 3, 4)).toEqual({ rowNumbers: [], total: 0, page: 1 });
    appendFileSync(file, line({ id: 6, reason: 'refusal' }));
    expect(facet.rowsWith('refusal')).toEqual([6]);
    // Curation ran again: a new file renamed over the old one, with as many rows; the facet reads it afresh.
    const again = join(directory.path(), 'again.jsonl');
    writeFileSync(again, reasons.map((_, id) => line({ id, reason: 'language' })).join('') + line({ id: 6, reason: 'language' }));
    renameSync(again, file);
    expect(facet.counts()).toEqual([{ value: 'language', count: 7 }]);
  });
});
