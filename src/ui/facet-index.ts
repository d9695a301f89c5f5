import type { JsonlIndex } from './jsonl-index.js';

/**
 * One value per row of a JSONL file (a dropped row's reason, a split row's role), kept as small integer codes
 * so filtering 100,000 rows is one pass over an array. Rows appended since the last use are added; a file
 * that shrank is read again.
 */
export class FacetIndex {
  private values: string[] = [];
  private codes: number[] = [];
  private generation = 0;

  constructor(
    private readonly rows: JsonlIndex,
    private readonly valueOf: (row: unknown) => string,
  ) {}

  /** Each value with how many rows have it, in first-seen order. */
  counts(): { value: string; count: number }[] {
    this.refresh();
    const counts = new Array<number>(this.values.length).fill(0);
    for (const code of this.codes) counts[code]!++;
    return this.values.map((value, code) => ({ value, count: counts[code]! }));
  }

  /** Row numbers whose value is `value`, ascending. */
  rowsWith(value: string): number[] {
    this.refresh();
    const code = this.values.indexOf(value);
    const found: number[] = [];
    if (code === -1) return found;
    for (let row = 0; row < this.codes.length; row++) if (this.codes[row] === code) found.push(row);
    return found;
  }

  private refresh(): void {
    const total = this.rows.count();
    if (total < this.codes.length || this.rows.generation !== this.generation) {
      this.generation = this.rows.generation;
      this.values = [];
      this.codes = [];
    }
    if (total === this.codes.length) return;
    const known = new Map(this.values.map((value, code) => [value, code]));
    const from = this.codes.length;
    this.rows.forEachLine((text) => {
      let value: string;
      try {
        value = this.valueOf(JSON.parse(text));
      } catch {
        value = '(unreadable)';
      }
      let code = known.get(value);
      if (code === undefined) {
        code = this.values.push(value) - 1;
        known.set(value, code);
      }
      this.codes.push(code);
    }, from);
  }
}
