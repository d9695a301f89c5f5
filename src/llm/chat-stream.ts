import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { chatRequestBody, type ChatParameters, type ChatResult } from './chat.js';
import { APICallError, APIConnectionError, InvalidResponseError } from './errors.js';
import type { HttpClient, RequestOptions } from './http-client.js';
import { chatChunkSchema, chatCompletionSchema, type Usage } from './protocol.js';

/** What one chunk of a streamed chat completion adds (the first choice only; Distillery asks for one). */
export interface ChatDelta {
  content: string;
  reasoning: string;
  finishReason: string | null;
  usage: Usage | null;
}

/**
 * The `data` of each Server-Sent Event of a body, in order. eventsource-parser does the framing (LF, CR and
 * CRLF line ends, multi-line data, comments, an event cut between two network chunks).
 */
export async function* serverSentEventData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const ready: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => ready.push(event) });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    for (const event of ready.splice(0)) yield event.data;
  }
  parser.feed(decoder.decode());
  // A last event without its blank line still counts (the server closed right after it).
  parser.reset({ consume: true });
  for (const event of ready.splice(0)) yield event.data;
}

/**
 * Sends a chat completion with `stream: true` and yields its deltas. A server that answers with a JSON body
 * instead of an event stream (some do, for `stream: true`) has its answer yielded as one delta. Opening throws
 * the client's typed errors; a stream that breaks off (or ends with no finish_reason and no [DONE]) is an
 * APIConnectionError, a malformed chunk an InvalidResponseError (both retryable), an error event in the stream
 * an APICallError (retryable unless its code is a 4xx that says the request was bad).
 */
export async function* streamChatDeltas(http: HttpClient, parameters: ChatParameters, options: RequestOptions = {}): AsyncGenerator<ChatDelta, Record<string, string>> {
  const url = http.url('/chat/completions');
  const response = await http.send('POST', '/chat/completions', JSON.stringify(chatRequestBody(parameters, true, http.flavor)), { 'content-type': 'application/json', accept: 'text/event-stream' }, options);
  if ((response.headers['content-type'] ?? '').includes('application/json')) {
    const text = await response.text();
    const completion = chatCompletionSchema.safeParse(parseJson(text));
    if (!completion.success) throw new InvalidResponseError(`response from ${url} is not a chat completion: ${text.slice(0, 200)}`, { url, status: response.status, body: text.slice(0, 2000), isRetryable: true });
    const choice = completion.data.choices[0]!;
    yield {
      content: choice.message.content ?? '',
      reasoning: choice.message.reasoning_content ?? choice.message.reasoning ?? '',
      finishReason: choice.finish_reason ?? null,
      usage: completion.data.usage ?? null,
    };
    return response.headers;
  }
  // A stream is whole once it says so ([DONE]) or gives a finish_reason; one that just stops was cut off
  // (a proxy, a restart) and its text so far must not pass for the answer (it would be cached and trained on).
  let finished = false;
  try {
    for await (const data of serverSentEventData(response.body)) {
      if (data.trim() === '[DONE]') {
        finished = true;
        break;
      }
      const value = parseJson(data);
      const failure = streamError(value);
      if (failure !== undefined) throw new APICallError(`stream from ${url} ended with an error: ${failure.message}`, { url, body: data.slice(0, 2000), isRetryable: failure.retryable });
      const chunk = chatChunkSchema.safeParse(value);
      if (!chunk.success) throw new InvalidResponseError(`malformed stream chunk from ${url}: ${data.slice(0, 200)}`, { url, isRetryable: true });
      const choice = chunk.data.choices[0];
      if (choice?.finish_reason) finished = true;
      yield {
        content: choice?.delta?.content ?? '',
        reasoning: choice?.delta?.reasoning_content ?? choice?.delta?.reasoning ?? '',
        finishReason: choice?.finish_reason ?? null,
        usage: chunk.data.usage ?? null,
      };
    }
  } catch (error) {
    if (error instanceof APICallError) throw error;
    throw new APIConnectionError(`stream from ${url} broke off: ${error instanceof Error ? error.message : String(error)}`, { url, cause: error, isRetryable: true });
  }
  if (!finished) throw new APIConnectionError(`stream from ${url} ended before a finish_reason or [DONE]: the answer is cut off`, { url, isRetryable: true });
  return response.headers;
}

/**
 * An error event sent after the stream opened (`data: {"error": {message, code}}`: vLLM, then `[DONE]`; OpenAI):
 * the text so far is not the answer. Retryable unless its code says the request itself was bad.
 */
function streamError(value: unknown): { message: string; retryable: boolean } | undefined {
  if (typeof value !== 'object' || value === null || !('error' in value) || 'choices' in value) return undefined;
  const error = (value as { error: unknown }).error;
  const detail = typeof error === 'object' && error !== null ? (error as { message?: unknown; code?: unknown }) : { message: error };
  const code = Number(detail.code);
  const message = typeof detail.message === 'string' ? detail.message : JSON.stringify(error);
  return { message, retryable: !(code >= 400 && code < 500 && code !== 408 && code !== 409 && code !== 429) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Streams an answer (SSE) and assembles it; records time to first token. Same normalized result as a plain call. */
export async function streamChatCompletion(http: HttpClient, parameters: ChatParameters, options: RequestOptions = {}): Promise<ChatResult> {
  const started = performance.now();
  let content = '';
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  let firstTokenAt: number | null = null;
  const deltas = streamChatDeltas(http, parameters, options);
  let next: IteratorResult<ChatDelta, Record<string, string>>;
  while (!(next = await deltas.next()).done) {
    const delta = next.value;
    if ((delta.content || delta.reasoning) && firstTokenAt === null) firstTokenAt = performance.now();
    content += delta.content;
    reasoning += delta.reasoning;
    if (delta.finishReason) finishReason = delta.finishReason;
    if (delta.usage) usage = delta.usage;
  }
  return {
    content,
    reasoningContent: reasoning || null,
    finishReason,
    usage: usage ?? { prompt_tokens: 0, completion_tokens: 0 },
    latencyMs: performance.now() - started,
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
    headers: next.value,
  };
}
