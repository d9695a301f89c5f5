import { z } from 'zod';
import type { ChatMessage } from '../llm/protocol.js';

/** Text content as OpenAI accepts it: a string, or an array of parts of which the text ones are read. */
const contentSchema = z.union([
  z.string(),
  z.array(z.union([z.object({ type: z.literal('text'), text: z.string() }), z.object({ type: z.string() }).loose()])),
]);

const incomingMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'developer', 'tool']),
  content: contentSchema.nullable().optional(),
});

/**
 * The body of `POST /v1/chat/completions`, the fields the gateway reads; others (user, metadata, …) are
 * accepted and ignored, as OpenAI-compatible servers do. `n` above 1, tools and logprobs are not served.
 */
export const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(incomingMessageSchema).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  n: z.literal(1).nullable().optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

function messageText(content: z.infer<typeof contentSchema> | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The client's messages in the protocol's text form. */
export function requestMessages(request: ChatRequest): ChatMessage[] {
  return request.messages.map((message) => ({ role: message.role, content: messageText(message.content) }));
}

/** The task input: the last user message (what is logged and captured for the next round). */
export function requestInput(request: ChatRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  return messageText(lastUser?.content);
}
