/**
 * Exact match after normalization, so that a correct answer is not failed for its casing, spacing or the
 * tokenization of its punctuation ("don't ." and "don't."). Each normalization can be turned off.
 */
import { checkAligned } from './check-aligned.js';
import { detokenizePunctuation } from './jfleg-tokenization.js';

export interface ExactMatchOptions {
  /** Compare case-insensitively (default true). */
  ignoreCase?: boolean;
  /** Treat any run of whitespace as one space and trim the ends (default true). */
  collapseWhitespace?: boolean;
  /** Rejoin tokenized punctuation and clitics (`do n't ,` → `don't,`) and straighten curly quotes (default true). */
  normalizePunctuationSpacing?: boolean;
  /** Drop punctuation altogether (default false). */
  removePunctuation?: boolean;
  /** Unicode NFKC normalization (default true). */
  unicodeNormalize?: boolean;
}

export interface ExactMatchResult {
  metric: 'exact';
  /** Fraction of items matching one of their references, 0 to 1. */
  score: number;
  matches: number;
  total: number;
  perItem: boolean[];
}

export function normalizeForExactMatch(text: string, options: ExactMatchOptions = {}): string {
  let normalized = options.unicodeNormalize === false ? text : text.normalize('NFKC');
  if (options.normalizePunctuationSpacing !== false) {
    normalized = detokenizePunctuation(normalized.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"'));
  }
  if (options.removePunctuation) normalized = normalized.replace(/[\p{P}\p{S}]/gu, ' ');
  if (options.collapseWhitespace !== false) normalized = normalized.replace(/\s+/g, ' ').trim();
  if (options.ignoreCase !== false) normalized = normalized.toLowerCase();
  return normalized;
}

/** `references` holds one array per reference set, each aligned with `hypotheses`; any reference may match. */
export function exactMatch(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ExactMatchOptions = {},
): ExactMatchResult {
  checkAligned('exact match', hypotheses, references);
  const perItem = hypotheses.map((hypothesis, index) => {
    const normalized = normalizeForExactMatch(hypothesis, options);
    return references.some((set) => normalizeForExactMatch(set[index]!, options) === normalized);
  });
  const matches = perItem.filter(Boolean).length;
  return { metric: 'exact', score: perItem.length === 0 ? 0 : matches / perItem.length, matches, total: perItem.length, perItem };
}
