import { mulberry32, shuffled as shuffledWith } from '../../src/stages/split/seeded-random.js';

/** mulberry32 (the project's own generator), so "random" faults and shuffles repeat run after run. */
export const seededRandom = mulberry32;

/** A stable 32-bit hash of a string (FNV-1a), for seeds derived from ids. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A shuffled copy (Fisher–Yates) driven by `seed`. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  return shuffledWith(items, mulberry32(seed));
}
