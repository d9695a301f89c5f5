/**
 * Words as whitespace-separated tokens (whitespace as JavaScript's `\s`): the count the input bounds use.
 * A loop instead of `trim().split(/\s+/)`: no array per row, which the inputs stage notices at 185M rows.
 */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const space = isWhitespace(text.charCodeAt(index));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

/** Fills `{name}` slots from a record; `{{` and `}}` are literal braces. Unknown slots are an error. */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{\{|\}\}|\{([A-Za-z_][\w.]*)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (!(name! in values)) throw new Error(`template slot {${name}} has no value`);
    return String(values[name!]);
  });
}
