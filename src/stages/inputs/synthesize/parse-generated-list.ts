import { parseEmbeddedJson } from '../../curate/parse-embedded-json.js';

const ITEM_MARKER = /^\s*(?:\d{1,3}\s*[.):]|[-*•])\s+(.*)$/;
const TEXT_KEYS = ['input', 'instruction', 'prompt', 'question', 'text'] as const;

/**
 * Items from a teacher's list answer: a JSON array (of strings, or objects with an input-like
 * key) anywhere in the answer, else a numbered or bulleted list whose items may span lines.
 */
export function parseGeneratedList(answer: string): string[] {
  const fromJson = parseJsonList(answer);
  if (fromJson !== null) return fromJson;
  const items: string[] = [];
  let current: string[] | null = null;
  for (const line of answer.split(/\r?\n/)) {
    const marker = ITEM_MARKER.exec(line);
    if (marker !== null) {
      if (current !== null) items.push(current.join('\n'));
      current = [marker[1]!];
    } else if (current !== null && line.trim() !== '') {
      current.push(line.trim());
    } else if (current !== null) {
      items.push(current.join('\n'));
      current = null;
    }
  }
  if (current !== null) items.push(current.join('\n'));
  return items.map(cleanItem).filter((item) => item.length > 0);
}

function parseJsonList(answer: string): string[] | null {
  const value = parseEmbeddedJson(answer, '[');
  if (!Array.isArray(value)) return null;
  const items = value.flatMap((item): string[] => {
    if (typeof item === 'string') return [item];
    if (typeof item !== 'object' || item === null) return [];
    const record = item as Record<string, unknown>;
    const key = TEXT_KEYS.find((candidate) => typeof record[candidate] === 'string');
    return key === undefined ? [] : [record[key] as string];
  });
  return items.map(cleanItem).filter((item) => item.length > 0);
}

/** Drops wrapping quotes and "Instruction:"-style labels models like to add. */
export function cleanItem(item: string): string {
  return item
    .trim()
    .replace(/^(?:#*\s*)?(?:new\s+)?(?:instruction|input|prompt|task|rewritten prompt)\s*\d*\s*#*\s*:\s*/i, '')
    .replace(/^"(.*)"$/s, '$1')
    .trim();
}
