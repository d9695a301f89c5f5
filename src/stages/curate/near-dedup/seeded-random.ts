/** Mulberry32: a tiny seeded generator, so every sampled choice is reproducible from the seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform 32-bit unsigned integer from the generator. */
export function randomUint32(random: () => number): number {
  return Math.floor(random() * 4294967296) >>> 0;
}
