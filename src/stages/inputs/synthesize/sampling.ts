/** Seeded choices; all randomness in synthesis flows through one generator so a seed reproduces a run. */
export function pickOne<Item>(items: readonly Item[], random: () => number): Item {
  if (items.length === 0) throw new RangeError('cannot pick from an empty list');
  return items[Math.floor(random() * items.length)]!;
}

/** Up to `count` distinct items, in random order (partial Fisher–Yates on a copy). */
export function sampleWithoutReplacement<Item>(items: readonly Item[], count: number, random: () => number): Item[] {
  const copy = [...items];
  const take = Math.min(count, copy.length);
  for (let index = 0; index < take; index++) {
    const other = index + Math.floor(random() * (copy.length - index));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy.slice(0, take);
}
