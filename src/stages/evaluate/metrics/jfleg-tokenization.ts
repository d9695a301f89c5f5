/**
 * JFLEG's text is Penn-Treebank-like: punctuation split off (`society .`), clitics split (`do n't`,
 * `ca n't`, `it 's`), double quotes as `` and '', `--` dashes, hyphens and slashes kept in words, and
 * abbreviations keep their period (`Mr.`, `etc.`). These convert between that and natural text, so a model
 * can read natural input and its natural output can be scored against the tokenized references.
 */

// Periods that belong to the word. Line-final ones are split off anyway, as the Treebank does.
const ABBREVIATIONS = new Set([
  'mr.', 'mrs.', 'ms.', 'dr.', 'prof.', 'st.', 'jr.', 'sr.', 'vs.', 'etc.', 'e.g.', 'i.e.', 'inc.', 'ltd.', 'co.',
]);
const CLITIC = /^(?:n't|'s|'re|'ve|'ll|'d|'m)$/i;
const ATTACHES_TO_PREVIOUS = new Set(['.', ',', ';', ':', '?', '!', '...', '%', ')', ']', '}', "''", "'"]);
const ATTACHES_TO_NEXT = new Set(['(', '[', '{', '``', '$']);

/** JFLEG-tokenized text to natural text: punctuation and clitics rejoined, `` '' back to straight quotes. */
export function detokenizePunctuation(text: string): string {
  let output = '';
  let gluedToNext = true; // nothing before the first token
  let plainQuoteOpen = false;
  for (const token of text.split(/\s+/).filter((piece) => piece !== '')) {
    let rendered = token;
    let attachLeft = ATTACHES_TO_PREVIOUS.has(token) || CLITIC.test(token);
    let attachRight = ATTACHES_TO_NEXT.has(token);
    if (token === '``') rendered = '"';
    if (token === "''") rendered = '"';
    if (token === '"') {
      // A straight quote alternates between opening and closing.
      plainQuoteOpen = !plainQuoteOpen;
      attachRight = plainQuoteOpen;
      attachLeft = !plainQuoteOpen;
    }
    output += gluedToNext || attachLeft ? rendered : ` ${rendered}`;
    gluedToNext = attachRight;
  }
  return output;
}

/** Natural text (a model's output) to JFLEG's tokenization. */
export function tokenizeLikeJfleg(text: string): string {
  let spaced = ` ${normalizeTypography(text)} `;
  // Double quotes: opening after a space or bracket, closing otherwise.
  spaced = spaced.replace(/(?<=[\s([{])"/g, ' `` ').replace(/"/g, " '' ");
  spaced = spaced.replace(/``|''/g, (quote) => ` ${quote} `);
  spaced = spaced.replace(/\.\.\.|--|[?!()[\]{}%$]/g, (mark) => ` ${mark} `);
  // Semicolons, except ending an entity such as &raspsquo; which JFLEG keeps as one token.
  spaced = spaced.replace(/(?<!&[A-Za-z]+);/g, ' ; ');
  // Commas and colons, except between digits (1,000 and 8:30).
  spaced = spaced.replace(/(?<!\d)[,:]|[,:](?!\d)/g, (mark) => ` ${mark} `);
  spaced = spaced.replace(/(?<=\S)(n't|'s|'re|'ve|'ll|'d|'m)(?![A-Za-z])/gi, ' $1');
  // A word-final apostrophe is a closing quote or a plural possessive: its own token.
  spaced = spaced.replace(/(?<=[^\s'])'(?=[\s.])/g, " ' ");
  const tokens = spaced.split(/\s+/).filter((token) => token !== '');
  return tokens.flatMap((token, index) => splitPeriod(token, index === tokens.length - 1)).join(' ');
}

/** Splits a word's final period unless it is an abbreviation in mid-line; `etc..` becomes `etc. .`. */
function splitPeriod(token: string, isLast: boolean): string[] {
  if (!token.endsWith('.') || /^\.+$/.test(token) || token.endsWith('...')) return [token];
  const word = token.slice(0, -1);
  if (word.endsWith('.')) return [word, '.'];
  const isAbbreviation = ABBREVIATIONS.has(token.toLowerCase()) || /^(?:[A-Za-z]\.)+[A-Za-z]\.?$/.test(token);
  if (isAbbreviation && !isLast) return [token];
  return [word, '.'];
}

function normalizeTypography(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[\u2014\u2013](?=\s)|(?<=\s)[\u2014\u2013]|\u2014/g, '--')
    .replace(/[\u00a0\u2009\u202f]/g, ' ');
}
