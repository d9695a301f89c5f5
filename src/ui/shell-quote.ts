/** A word a POSIX shell reads back as itself: bare when it is plain, else single-quoted. */
export function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
