import { trainingMessages, type PromptSpec } from '../../data/chat-format.js';
import type { ChatMessage } from '../../llm/protocol.js';
import type { KeptRecord } from './kept-record.js';

/** Only `messages`: strict providers reject rows with other keys. */
export interface MessagesRow {
  messages: ChatMessage[];
}

/** The chat `messages` row: system (student prompt), user (templated input), assistant (prefix + output). */
export function messagesRow(spec: PromptSpec, record: KeptRecord): MessagesRow {
  return { messages: trainingMessages(spec, record.input, record.output, record.fields ?? {}) };
}

/** Alpaca: the system prompt as the instruction, the user turn as input, the assistant turn as output. */
export function alpacaRow(row: MessagesRow): { instruction: string; input: string; output: string } {
  return { instruction: contentOf(row, 'system'), input: contentOf(row, 'user'), output: contentOf(row, 'assistant') };
}

/** Prompt/completion: the prompt is the system prompt and user turn joined by a blank line. */
export function promptCompletionRow(row: MessagesRow): { prompt: string; completion: string } {
  const prompt = [contentOf(row, 'system'), contentOf(row, 'user')].filter((part) => part !== '').join('\n\n');
  return { prompt, completion: contentOf(row, 'assistant') };
}

function contentOf(row: MessagesRow, role: ChatMessage['role']): string {
  return row.messages.filter((message) => message.role === role).at(-1)?.content ?? '';
}
