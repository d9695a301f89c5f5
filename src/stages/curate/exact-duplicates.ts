import { normalizeText } from './normalize-text.js';

/** For each text, the index of the first earlier text with the same normalized form, or -1. */
export function findExactDuplicates(texts: readonly string[]): Int32Array {
  const firstByText = new Map<string, number>();
  const duplicateOf = new Int32Array(texts.length).fill(-1);
  texts.forEach((text, index) => {
    const key = normalizeText(text);
    const first = firstByText.get(key);
    if (first === undefined) firstByText.set(key, index);
    else duplicateOf[index] = first;
  });
  return duplicateOf;
}
