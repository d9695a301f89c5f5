import type { ChatParameters } from '../llm/chat.js';
import type { ModelClient } from '../llm/model-client.js';
import { splitReasoning } from '../llm/reasoning.js';
import type { ChatFunction } from './curate/chat.js';

export interface ModelChatOptions {
  /** The stage's cached, retrying client (created on the first call). */
  client: () => Promise<ModelClient>;
  /** Everything of the request but the messages. */
  parameters: Omit<ChatParameters, 'messages'>;
  signal: AbortSignal;
  /** Tokens of answers that were paid for (not cached). */
  onPaid: (usage: { prompt_tokens: number; completion_tokens: number }) => void;
}

/**
 * The ChatFunction the curation judge, Self-Instruct and Evol-Instruct read model answers through. The reply's
 * reasoning (`reasoning_content`, a `<think>` block) is split off here, once for every reader, so a thought
 * is never parsed as a score, a list item or a rewritten prompt.
 */
export function modelChat(options: ModelChatOptions): ChatFunction {
  let client: Promise<ModelClient> | undefined;
  return async (messages) => {
    client ??= options.client();
    const outcome = await (await client).complete({ ...options.parameters, messages }, { signal: options.signal });
    if (!outcome.cached) options.onPaid(outcome.result.usage);
    const { output, reasoning } = splitReasoning(outcome.result.content, outcome.result.reasoningContent);
    return { content: output, reasoning };
  };
}
