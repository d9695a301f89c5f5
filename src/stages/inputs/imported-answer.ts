import type { ImportedAnswer } from './input-record.js';

export interface ImportedFields {
  output_field?: string;
  reasoning_field?: string;
}

/** What makes a row's teacher answer: a column (`output_field`), or the last assistant message of a chat log. */
export type AnswerReading = { input: string; imported?: ImportedAnswer } | { error: string };

/** `output_field` rows: the answer, optional reasoning, and `finish_reason` / `truncated` columns when present. */
export function answerFromColumns(row: Record<string, unknown>, input: string, fields: ImportedFields): AnswerReading {
  if (fields.output_field === undefined) return { input };
  const output = row[fields.output_field];
  if (typeof output !== 'string') return { error: `field '${fields.output_field}' (the imported answer) must be a string, got ${describe(output)}` };
  const reasoning = fields.reasoning_field === undefined ? null : row[fields.reasoning_field];
  if (reasoning !== null && reasoning !== undefined && typeof reasoning !== 'string') return { error: `field '${fields.reasoning_field}' must be a string, got ${describe(reasoning)}` };
  return { input, imported: withTruncation(row, output, typeof reasoning === 'string' ? reasoning : null) };
}

/**
 * A chat-log row (`{"messages": [...]}`, as OpenAI stored completions and `distillery capture` export): the last
 * assistant message is the answer, the messages before it the prompt, and the last user message the input.
 */
export function answerFromChat(row: Record<string, unknown>): AnswerReading {
  const messages = row.messages;
  if (!Array.isArray(messages)) return { error: `field 'messages' must be an array of chat messages, got ${describe(messages)}` };
  const parsed: { role: string; content: string; reasoning: string | null }[] = [];
  for (const [index, message] of messages.entries()) {
    if (message === null || typeof message !== 'object') return { error: `messages[${index}] is not an object` };
    const { role, content, reasoning_content: reasoning } = message as Record<string, unknown>;
    const text = contentText(content);
    if (typeof role !== 'string' || text === undefined) return { error: `messages[${index}] needs a string role and text content` };
    parsed.push({ role, content: text, reasoning: typeof reasoning === 'string' ? reasoning : null });
  }
  let answerIndex = parsed.length - 1;
  while (answerIndex >= 0 && parsed[answerIndex]!.role !== 'assistant') answerIndex--;
  if (answerIndex < 0) return { error: 'no assistant message (the answer) in messages' };
  const prompt = parsed.slice(0, answerIndex);
  const user = [...prompt].reverse().find((message) => message.role === 'user');
  if (!user) return { error: 'no user message before the last assistant message' };
  const answer = parsed[answerIndex]!;
  return {
    input: user.content,
    imported: { ...withTruncation(row, answer.content, answer.reasoning), prompt: prompt.map(({ role, content }) => ({ role, content })) },
  };
}

function withTruncation(row: Record<string, unknown>, output: string, reasoning: string | null): ImportedAnswer {
  const finishReason = typeof row.finish_reason === 'string' ? row.finish_reason : null;
  const truncated = typeof row.truncated === 'boolean' ? row.truncated : finishReason === 'length';
  return { output, reasoning, finish_reason: finishReason, truncated };
}

/** Message content as text: a string, or OpenAI's content parts (`[{type: 'text', text}]`) joined. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => (part !== null && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : undefined));
  return texts.every((text) => text !== undefined) ? texts.join('') : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
