import type { ChatFunction, EmbedFunction } from './chat.js';
import type { GeneratedRecord } from './record.js';

export interface DroppedRecord {
  record: GeneratedRecord;
  /** Short machine-readable cause, e.g. `near_duplicate`; the funnel groups examples by it. */
  reason: string;
  detail: unknown;
}

export interface FilterResult {
  kept: GeneratedRecord[];
  dropped: DroppedRecord[];
  /** Extra facts a filter wants in the funnel (the diversity filter puts its key distribution here). */
  report?: unknown;
}

export interface FilterContext {
  /** Progress hook for slow filters; optional so tests can ignore it. */
  onProgress?: (filter: string, done: number, total: number) => void;
}

export interface Filter {
  name: string;
  /** Relative cost per record; the runner applies cheap filters first so costly ones see fewer records. */
  cost: number;
  apply(records: GeneratedRecord[], context: FilterContext): Promise<FilterResult>;
}

/** What filters may need from outside: injected so the curate stage never builds clients itself. */
export interface FilterDependencies {
  /** Directory the config file lives in; relative paths in filter options resolve against it. */
  configDirectory: string;
  chatFor?: (target: { endpoint: string; model: string }) => ChatFunction;
  embed?: EmbedFunction;
  countTokens?: (text: string) => number;
}

/** Splits records with a synchronous per-record verdict: `null` keeps, a drop description drops. */
export function partitionRecords(
  records: GeneratedRecord[],
  judge: (record: GeneratedRecord, index: number) => { reason: string; detail: unknown } | null,
): FilterResult {
  const kept: GeneratedRecord[] = [];
  const dropped: DroppedRecord[] = [];
  records.forEach((record, index) => {
    const verdict = judge(record, index);
    if (verdict === null) kept.push(record);
    else dropped.push({ record, ...verdict });
  });
  return { kept, dropped };
}
