/** Chat and embedding functions are injected: the caller wires the project's cached, retrying clients. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ChatFunction = (messages: ChatMessage[]) => Promise<{ content: string }>;

export type EmbedFunction = (texts: string[]) => Promise<number[][]>;
