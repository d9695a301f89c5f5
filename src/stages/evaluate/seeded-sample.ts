import { PythonRandom } from './metrics/python-random.js';

/** A seeded generator of numbers in [0, 1) (CPython's Mersenne Twister, so a seed means the same everywhere). */
export function seededRandom(seed: number): () => number {
  const generator = new PythonRandom(seed);
  return () => generator.random();
}

/** `count` distinct indices below `size`, in random order (a seeded partial Fisher–Yates shuffle); all when count ≥ size. */
export function seededSample(size: number, count: number, random: () => number): number[] {
  const indices = Array.from({ length: size }, (_, index) => index);
  const taken = Math.min(count, size);
  for (let position = 0; position < taken; position++) {
    const pick = position + Math.floor(random() * (size - position));
    [indices[position], indices[pick]] = [indices[pick]!, indices[position]!];
  }
  return indices.slice(0, taken);
}
