import { normalizeForExactMatch } from './metrics/exact-match.js';

/**
 * The comparison of the judge pipeline, the pairwise tie rule and exact match: the metrics' exact-match
 * normalization (NFKC, straight quotes, punctuation spacing, whitespace) but case-sensitive, since a
 * correction may be exactly a change of case.
 */
export function normalizeForMatch(text: string): string {
  return normalizeForExactMatch(text, { ignoreCase: false });
}

export function sameText(left: string, right: string): boolean {
  return normalizeForMatch(left) === normalizeForMatch(right);
}
