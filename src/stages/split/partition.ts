import { DataError } from '../../errors.js';
import { mulberry32, shuffled } from './seeded-random.js';

/** How many rows go to validation: `validation` is a count when ≥ 1, a fraction of the rows when < 1. */
export function validationSize(rows: number, validation: number): number {
  return validation >= 1 ? Math.floor(validation) : Math.max(1, Math.round(rows * validation));
}

/**
 * A seeded train/validation partition of ids. Ids are sorted first, so the result depends only on the set of
 * ids and the seed, not on the order of the file; both halves keep the sorted order.
 */
export function partitionIds(ids: readonly string[], validation: number, seed: number, file: string): { train: string[]; validation: string[] } {
  const size = validationSize(ids.length, validation);
  if (ids.length - size < 1) {
    throw new DataError(`${ids.length} rows are too few for a validation set of ${size} (split.validation: ${validation}) and at least one training row`, file);
  }
  const order = shuffled([...ids].sort(), mulberry32(seed));
  const chosen = new Set(order.slice(0, size));
  const sorted = [...ids].sort();
  return { train: sorted.filter((id) => !chosen.has(id)), validation: sorted.filter((id) => chosen.has(id)) };
}
