/**
 * The comparison the judge pipeline and exact match use: Unicode-normalized (NFKC, curly quotes made
 * straight), whitespace collapsed and trimmed. Case and punctuation count: they are what a correction changes.
 */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

export function sameText(left: string, right: string): boolean {
  return normalizeForMatch(left) === normalizeForMatch(right);
}
