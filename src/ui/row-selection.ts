import type { CurationFunnel } from '../report/earlier-stages.js';
import type { FacetIndex } from './facet-index.js';
import type { JsonlIndex } from './jsonl-index.js';

export interface RowFilter {
  /** Only rows whose facet value is this (a dropped row's reason). */
  facetValue?: string;
  /** Only rows the funnel step of this name dropped. */
  step?: string;
  /** Only rows whose text contains this, case-insensitively. */
  search?: string;
}

/**
 * The rows of `curate/dropped.jsonl` that one funnel step dropped: curation writes dropped rows step by step
 * in funnel order, so step k's rows follow the rows the steps before it dropped.
 */
export function stepRange(funnel: CurationFunnel, step: string): [number, number] | undefined {
  let from = 0;
  for (const entry of funnel.steps) {
    if (entry.filter === step) return [from, from + entry.dropped];
    from += entry.dropped;
  }
  return undefined;
}

/** Row numbers matching every part of the filter, or undefined for every row (so nothing is listed needlessly). */
export function selectRows(rows: JsonlIndex, filter: RowFilter, facet: FacetIndex | undefined, funnel: CurationFunnel | undefined): number[] | undefined {
  let selected: number[] | undefined;
  if (filter.facetValue !== undefined && facet !== undefined) selected = facet.rowsWith(filter.facetValue);
  if (filter.step !== undefined) {
    const range = funnel ? stepRange(funnel, filter.step) : undefined;
    const [from, to] = range ?? [0, 0];
    selected = (selected ?? Array.from({ length: rows.count() }, (_, row) => row)).filter((row) => row >= from && row < to);
  }
  if (filter.search !== undefined && filter.search !== '') selected = rows.search(filter.search, selected);
  return selected;
}

/** One page of a selection (a page past the end is the last page): the row numbers to read, the total, the page. */
export function pageOf(rows: JsonlIndex, selected: number[] | undefined, requested: number, pageSize: number): { rowNumbers: number[]; total: number; page: number } {
  const total = selected?.length ?? rows.count();
  const page = Math.min(requested, Math.max(1, Math.ceil(total / pageSize)));
  const start = (page - 1) * pageSize;
  const end = Math.min(total, start + pageSize);
  const rowNumbers: number[] = [];
  for (let position = start; position < end; position++) rowNumbers.push(selected ? selected[position]! : position);
  return { rowNumbers, total, page };
}
