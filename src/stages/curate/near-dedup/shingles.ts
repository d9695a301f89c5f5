import { z } from 'zod';
import { finalizeHash, hashCodeUnits, mixBlock } from './hash32.js';

export const ShingleKindSchema = z.enum(['word', 'char']);
export type ShingleKind = z.infer<typeof ShingleKindSchema>;

const WORD_SEED = 0x9747b28c;
const SHINGLE_SEED = 0x5bd1e995;

/** Letters and digits form words; ASCII punctuation and whitespace separate them; other scripts count as letters. */
function isWordUnit(code: number): boolean {
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  }
  return code !== 0xa0 && code !== 0x2019 && code !== 0x201c && code !== 0x201d && (code < 0x2000 || code > 0x206f);
}

/**
 * Hashes the shingles of `text` into `out` (growing it when needed) and returns the count and buffer.
 * Each shingle is hashed once: words hash their code units, word n-grams hash the word hashes.
 */
export function hashShingles(
  text: string,
  kind: ShingleKind,
  size: number,
  out: Int32Array,
): { count: number; hashes: Int32Array } {
  const lower = text.toLowerCase();
  return kind === 'word' ? hashWordShingles(lower, size, out) : hashCharShingles(lower, size, out);
}

let wordScratch: Int32Array = new Int32Array(256);

function hashWordShingles(text: string, size: number, out: Int32Array): { count: number; hashes: Int32Array } {
  let words = 0;
  let start = -1;
  const length = text.length;
  for (let index = 0; index <= length; index++) {
    const inWord = index < length && isWordUnit(text.charCodeAt(index));
    if (inWord) {
      if (start < 0) start = index;
    } else if (start >= 0) {
      if (words === wordScratch.length) wordScratch = grow(wordScratch);
      wordScratch[words++] = hashCodeUnits(text, start, index, WORD_SEED);
      start = -1;
    }
  }
  if (words === 0) return { count: 0, hashes: out };
  // A text shorter than one shingle still gets one shingle: all of its words.
  const width = Math.min(size, words);
  const count = words - width + 1;
  let hashes = out;
  while (hashes.length < count) hashes = grow(hashes);
  for (let first = 0; first < count; first++) {
    if (width === 1) {
      hashes[first] = wordScratch[first]!;
      continue;
    }
    let h = SHINGLE_SEED;
    for (let offset = 0; offset < width; offset++) h = mixBlock(h, wordScratch[first + offset]!);
    hashes[first] = finalizeHash(h, width * 4);
  }
  return { count, hashes };
}

function hashCharShingles(text: string, size: number, out: Int32Array): { count: number; hashes: Int32Array } {
  // Whitespace runs collapse to one space so layout does not change the shingle set.
  const compact = text.replace(/\s+/g, ' ').trim();
  if (compact.length === 0) return { count: 0, hashes: out };
  const width = Math.min(size, compact.length);
  const count = compact.length - width + 1;
  let hashes = out;
  while (hashes.length < count) hashes = grow(hashes);
  for (let first = 0; first < count; first++) hashes[first] = hashCodeUnits(compact, first, first + width, SHINGLE_SEED);
  return { count, hashes };
}

function grow(buffer: Int32Array): Int32Array {
  const bigger = new Int32Array(buffer.length * 2);
  bigger.set(buffer);
  return bigger;
}
