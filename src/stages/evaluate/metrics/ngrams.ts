/** N-gram counts keyed by the tokens joined with a space (tokens never contain one). */
export type NgramCounts = Map<string, number>;

/** Counts of the n-grams of exactly `order` tokens. */
export function countNgrams(tokens: readonly string[], order: number): NgramCounts {
  const counts: NgramCounts = new Map();
  for (let start = 0; start + order <= tokens.length; start++) {
    const key = tokens.slice(start, start + order).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Sum over shared n-grams of the smaller count: Python's `sum((a & b).values())`. */
export function clippedOverlap(left: NgramCounts, right: NgramCounts): number {
  let overlap = 0;
  for (const [key, count] of left) {
    const other = right.get(key);
    if (other !== undefined) overlap += Math.min(count, other);
  }
  return overlap;
}
