/** Chat and embedding functions are injected: the caller wires the project's cached, retrying clients. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** `content` is the answer only: reasoning is split off before any reader sees it (see stages/model-chat.ts). */
export type ChatFunction = (messages: ChatMessage[]) => Promise<{ content: string; reasoning?: string | null }>;

export type EmbedFunction = (texts: string[]) => Promise<number[][]>;
