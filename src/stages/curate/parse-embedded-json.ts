/**
 * The JSON object (`{`) or array (`[`) embedded in a model's answer, from the first opening bracket
 * to the last closing one, so fences and chatter around it do not matter; undefined when none parses.
 */
export function parseEmbeddedJson(answer: string, opening: '{' | '['): unknown {
  const start = answer.indexOf(opening);
  const end = answer.lastIndexOf(opening === '{' ? '}' : ']');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(answer.slice(start, end + 1));
  } catch {
    return undefined;
  }
}
