/**
 * The fake provider's token rule, exported so tests can assert usage and costs exactly.
 *
 * Rule: one token per run of non-whitespace characters ("word"). `"Hello, world!"` is 2 tokens,
 * `""` is 0. Real tokenizers differ; what matters for tests is that the rule is fixed and known.
 */
const wordPattern = /\S+/g;

export function countTokens(text: string): number {
  return text.match(wordPattern)?.length ?? 0;
}

/** The first `maxTokens` tokens of `text`, keeping the original spacing between them. */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (maxTokens <= 0) return '';
  let count = 0;
  for (const match of text.matchAll(wordPattern)) {
    count += 1;
    if (count === maxTokens) return text.slice(0, match.index + match[0].length);
  }
  return text;
}

/** Text of a message's `content`: a string, or an array of parts whose `text` fields are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : '',
      )
      .filter((text) => text !== '')
      .join(' ');
  }
  return '';
}

/** Prompt tokens of a chat request: the sum of `countTokens` over every message's content (no per-message overhead). */
export function countPromptTokens(messages: ReadonlyArray<{ content?: unknown }>): number {
  return messages.reduce((sum, message) => sum + countTokens(contentText(message.content)), 0);
}
