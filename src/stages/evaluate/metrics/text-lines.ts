/**
 * A text file's lines as Python's `for line in open(path)` yields them: a final newline does not start
 * another line, an empty file has none. `\r\n` endings are treated as `\n` (the scripts split on whitespace anyway).
 */
export function splitFileLines(content: string): string[] {
  if (content === '') return [];
  const lines = content.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (content.endsWith('\n')) lines.pop();
  return lines;
}
