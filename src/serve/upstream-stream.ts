import type { ChatParameters } from '../llm/chat.js';
import { streamChatDeltas } from '../llm/chat-stream.js';
import type { HttpClient, RequestOptions } from '../llm/http-client.js';
import type { Usage } from '../llm/protocol.js';

/** What one upstream stream chunk carries that the gateway passes on (reasoning deltas are not passed on). */
export interface StreamPiece {
  content: string;
  finishReason: string | null;
  usage: Usage | null;
}

/**
 * Opens a streamed chat completion and yields its pieces. Opening throws the client's typed errors (status,
 * timeout, connection); a broken or malformed stream afterwards throws APIConnectionError/InvalidResponseError.
 * One attempt: the fallback target is the gateway's retry, and the client is waiting.
 */
export async function* streamChatPieces(http: HttpClient, parameters: ChatParameters, options: RequestOptions): AsyncGenerator<StreamPiece> {
  for await (const delta of streamChatDeltas(http, parameters, { ...options, retry: false })) {
    yield { content: delta.content, finishReason: delta.finishReason, usage: delta.usage };
  }
}
