import type { ChatMessage } from './protocol.js';

/**
 * A tokenizer-free estimate for budgets and TPM limits: about 4 characters a token for English BPE
 * vocabularies, plus the chat template's few tokens a message. It is an estimate; costs use real usage.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((total, message) => total + estimateTokens(message.content) + 4, 2);
}
