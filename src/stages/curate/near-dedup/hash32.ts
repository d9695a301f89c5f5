/**
 * MurmurHash3 (x86, 32-bit) building blocks on Math.imul: exact 32-bit arithmetic without BigInt,
 * so hashing a shingle costs a handful of integer instructions.
 */
export function mixBlock(hash: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = hash ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Final avalanche: every input bit affects every output bit (also a bijection on 32 bits). */
export function finalizeHash(hash: number, length: number): number {
  let h = hash ^ length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Murmur3 over UTF-16 code units `text[start, end)`, two units per 32-bit block. */
export function hashCodeUnits(text: string, start: number, end: number, seed: number): number {
  let h = seed | 0;
  let index = start;
  for (; index + 1 < end; index += 2) {
    h = mixBlock(h, text.charCodeAt(index) | (text.charCodeAt(index + 1) << 16));
  }
  if (index < end) {
    let k = Math.imul(text.charCodeAt(index), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  return finalizeHash(h, (end - start) * 2);
}
