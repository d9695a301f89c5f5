import { countWords } from '../../data/text.js';

/** Length buckets by input words: 1-10, 11-20, 21-30, 31-40, 41+ (empty inputs: 0). */
export function lengthBucket(text: string): string {
  const words = countWords(text);
  if (words === 0) return '0';
  if (words > 40) return '41+';
  const lower = Math.floor((words - 1) / 10) * 10 + 1;
  return `${lower}-${lower + 9}`;
}
