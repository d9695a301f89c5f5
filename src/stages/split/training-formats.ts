import { trainingMessages, type PromptSpec } from '../../data/chat-format.js';
import type { ChatMessage } from '../../llm/protocol.js';
import { inlineReasoning } from '../../llm/reasoning.js';
import type { KeptRecord } from './kept-record.js';

/**
 * Where a teacher's trace goes in the assistant target (`split.include_reasoning`): nowhere; a `reasoning_content`
 * field that the local worker renders the way the student's chat template expects; or inline `<think>…</think>`
 * before the answer (hosted trainers and the Alpaca / prompt-completion exports, which take text only).
 */
export type ReasoningPlacement = 'none' | 'field' | 'inline';

/** `reasoning_content` is the OpenAI-compatible servers' name for a trace, and what Qwen3 templates read. */
export type TrainingMessage = ChatMessage & { reasoning_content?: string };

/** Only `messages`: strict providers reject rows with other keys. */
export interface MessagesRow {
  messages: TrainingMessage[];
}

/** The chat `messages` row: system (student prompt), user (templated input), assistant (prefix + output). */
export function messagesRow(spec: PromptSpec, record: KeptRecord, placement: ReasoningPlacement = 'none'): MessagesRow {
  const messages: TrainingMessage[] = trainingMessages(spec, record.input, record.output, record.fields ?? {});
  const trace = placement === 'none' ? '' : (record.reasoning ?? '').trim();
  if (trace === '') return { messages };
  const answer = messages.pop()!;
  messages.push(placement === 'field' ? { ...answer, reasoning_content: trace } : { ...answer, content: inlineReasoning(trace, answer.content) });
  return { messages };
}

/** The text of a message as a text-only format carries it: a trace in a field goes inline. */
export function messageText(message: TrainingMessage): string {
  return message.reasoning_content === undefined ? message.content : inlineReasoning(message.reasoning_content, message.content);
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
  const message = row.messages.filter((candidate) => candidate.role === role).at(-1);
  return message === undefined ? '' : messageText(message);
}
