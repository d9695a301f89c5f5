import { hashCodeUnits } from '../curate/near-dedup/hash32.js';

/**
 * A 64-bit digest of a string as two 32-bit halves: MurmurHash3 over the UTF-16 code units with two seeds.
 * About five times faster than SHA-1 through node:crypto for sentence-sized text (230 vs 1,230 ms per 1M,
 * measured), which matters at 185M rows; 64 bits make an accidental collision among 185M distinct rows
 * about a 1-in-1,000 event per run.
 */
export function textDigest(text: string): [high: number, low: number] {
  return [hashCodeUnits(text, 0, text.length, 0x9747b28c), hashCodeUnits(text, 0, text.length, 0x2f1e8a71)];
}
