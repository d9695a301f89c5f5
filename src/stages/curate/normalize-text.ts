/**
 * Canonical form for exact matching: case, whitespace runs, typographic quotes and the spaces
 * learners and models put around punctuation ("Hello , world !") must not make two texts differ.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201f\u2033]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/ ([.,!?;:%)\]}])/g, '$1')
    .replace(/([(\[{]) /g, '$1')
    .trim();
}
