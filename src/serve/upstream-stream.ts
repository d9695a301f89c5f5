import { chatRequestBody, type ChatParameters } from '../llm/chat.js';
import { APIConnectionError, InvalidResponseError } from '../llm/errors.js';
import type { HttpClient, RequestOptions } from '../llm/http-client.js';
import { chatChunkSchema, type Usage } from '../llm/protocol.js';

/** What one upstream stream chunk carries that the gateway passes on (reasoning deltas are not passed on). */
export interface StreamPiece {
  content: string;
  finishReason: string | null;
  usage: Usage | null;
}

/** The `data:` payloads of a Server-Sent Events body, in order (LF or CRLF line ends). */
export async function* serverSentEventData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n?/g, '\n');
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n');
      if (data !== '') yield data;
    }
  }
}

/**
 * Opens a streamed chat completion and yields its pieces. Opening throws the client's typed errors (status,
 * timeout, connection); a broken or malformed stream afterwards throws APIConnectionError/InvalidResponseError.
 */
export async function* streamChatPieces(http: HttpClient, parameters: ChatParameters, options: RequestOptions): AsyncGenerator<StreamPiece> {
  const url = http.url('/chat/completions');
  const response = await http.send('POST', '/chat/completions', JSON.stringify(chatRequestBody(parameters, true)), { 'content-type': 'application/json', accept: 'text/event-stream' }, { ...options, retry: false });
  if (response.body === null) throw new InvalidResponseError(`stream from ${url} has no body`, { url, status: response.status });
  try {
    for await (const data of serverSentEventData(response.body)) {
      if (data.trim() === '[DONE]') return;
      const chunk = chatChunkSchema.safeParse(parseJson(data));
      if (!chunk.success) throw new InvalidResponseError(`malformed stream chunk from ${url}: ${data.slice(0, 200)}`, { url });
      const choice = chunk.data.choices[0];
      yield { content: choice?.delta?.content ?? '', finishReason: choice?.finish_reason ?? null, usage: chunk.data.usage ?? null };
    }
  } catch (error) {
    if (error instanceof InvalidResponseError) throw error;
    throw new APIConnectionError(`stream from ${url} broke off`, { url, cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
