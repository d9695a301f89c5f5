/** Words as whitespace-separated tokens: the count the input bounds use. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/u).length;
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
