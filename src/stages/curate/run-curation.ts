import type { CurateOrder } from './curate-config.js';
import { CurateError } from './curate-error.js';
import type { DroppedRecord, Filter, FilterContext } from './filter.js';
import { collectExamples, type Funnel, type FunnelStep } from './funnel.js';
import type { GeneratedRecord } from './record.js';

export interface CurationResult {
  kept: GeneratedRecord[];
  dropped: DroppedRecord[];
  funnel: Funnel;
}

/** Cheapest first (a stable sort keeps the written order among equals), unless the user said otherwise. */
export function orderFilters(filters: readonly Filter[], order: CurateOrder): Filter[] {
  return order === 'as_written' ? [...filters] : [...filters].sort((left, right) => left.cost - right.cost);
}

/**
 * Runs the filters in turn, each on what the previous kept. Every record ends in exactly one of
 * kept/dropped with one reason; that is checked after every filter, since a filter that loses or
 * duplicates a record would silently corrupt the training set.
 */
export async function runCuration(
  records: readonly GeneratedRecord[],
  filters: readonly Filter[],
  options: { order?: CurateOrder; context?: FilterContext } = {},
): Promise<CurationResult> {
  let kept = [...records];
  const dropped: DroppedRecord[] = [];
  const steps: FunnelStep[] = [];
  for (const filter of orderFilters(filters, options.order ?? 'cost')) {
    const result = await filter.apply(kept, options.context ?? {});
    assertPartition(filter.name, kept, result.kept, result.dropped);
    steps.push({ filter: filter.name, kept: result.kept.length, dropped: result.dropped.length, ...(result.report === undefined ? {} : { report: result.report }) });
    kept = result.kept;
    dropped.push(...result.dropped);
  }
  if (kept.length + dropped.length !== records.length) {
    throw new CurateError(`funnel does not add up: ${records.length} raw ≠ ${kept.length} kept + ${dropped.length} dropped`);
  }
  return { kept, dropped, funnel: { raw: records.length, steps, kept: kept.length, examples: collectExamples(dropped) } };
}

function assertPartition(filter: string, input: readonly GeneratedRecord[], kept: readonly GeneratedRecord[], dropped: readonly DroppedRecord[]): void {
  const remaining = new Set(input);
  const take = (record: GeneratedRecord) => {
    if (!remaining.delete(record)) throw new CurateError(`filter ${filter} returned record ${record.id} twice or one it was not given`);
  };
  kept.forEach(take);
  for (const entry of dropped) {
    if (typeof entry.reason !== 'string' || entry.reason === '') throw new CurateError(`filter ${filter} dropped ${entry.record.id} without a reason`);
    take(entry.record);
  }
  if (remaining.size > 0) throw new CurateError(`filter ${filter} lost ${remaining.size} record(s)`);
}
