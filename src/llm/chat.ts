import type { z } from 'zod';
import { APICallError, APIConnectionError, InvalidResponseError } from './errors.js';
import type { HttpClient, RequestOptions } from './http-client.js';
import { chatChunkSchema, chatCompletionSchema, type ChatMessage, type Usage } from './protocol.js';

export interface ChatParameters {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  /** Provider-specific fields passed through (e.g. `continue_final_message`, `chat_template_kwargs`). */
  extra?: Record<string, unknown>;
}

/** One answer, normalized across providers and across streaming and non-streaming calls. */
export interface ChatResult {
  content: string;
  reasoningContent: string | null;
  finishReason: string | null;
  usage: Usage;
  /** Wall time of the request, and time to first token when streamed. */
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  headers: Record<string, string>;
}

export function chatRequestBody(parameters: ChatParameters, stream: boolean): Record<string, unknown> {
  const { extra, ...standard } = parameters;
  const body: Record<string, unknown> = { ...standard, ...extra };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

export function chatResultFromCompletion(completion: z.infer<typeof chatCompletionSchema>): Omit<ChatResult, 'latencyMs' | 'timeToFirstTokenMs' | 'headers'> {
  const choice = completion.choices[0]!;
  return {
    content: choice.message.content ?? '',
    reasoningContent: choice.message.reasoning_content ?? choice.message.reasoning ?? null,
    finishReason: choice.finish_reason ?? null,
    usage: completion.usage ?? { prompt_tokens: 0, completion_tokens: 0 },
  };
}

export async function createChatCompletion(
  http: HttpClient,
  parameters: ChatParameters,
  options: RequestOptions = {},
  bodyText = JSON.stringify(chatRequestBody(parameters, false)),
): Promise<ChatResult> {
  const started = performance.now();
  const response = await http.jsonText('POST', '/chat/completions', chatCompletionSchema, bodyText, options);
  return { ...chatResultFromCompletion(response.data), latencyMs: performance.now() - started, timeToFirstTokenMs: null, headers: response.headers };
}

/** Streams an answer (SSE) to measure time to first token; returns the same normalized result. */
export async function streamChatCompletion(http: HttpClient, parameters: ChatParameters, options: RequestOptions = {}): Promise<ChatResult> {
  const started = performance.now();
  const response = await http.send('POST', '/chat/completions', JSON.stringify(chatRequestBody(parameters, true)), { 'content-type': 'application/json', accept: 'text/event-stream' }, options);
  const headers = response.headers;
  let content = '';
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  let firstTokenAt: number | null = null;
  let buffer = '';
  const decoder = new TextDecoder();
  const url = http.url('/chat/completions');
  try {
    for await (const piece of response.body) {
      buffer += decoder.decode(piece, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') continue;
          const chunk = chatChunkSchema.safeParse(JSON.parse(data));
          if (!chunk.success) throw new InvalidResponseError(`malformed stream chunk from ${url}: ${data.slice(0, 200)}`, { url, isRetryable: true });
          if (chunk.data.usage) usage = chunk.data.usage;
          for (const choice of chunk.data.choices) {
            const text = choice.delta?.content ?? '';
            const thought = choice.delta?.reasoning_content ?? choice.delta?.reasoning ?? '';
            if ((text || thought) && firstTokenAt === null) firstTokenAt = performance.now();
            content += text;
            reasoning += thought;
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
        }
      }
    }
  } catch (error) {
    if (error instanceof APICallError) throw error;
    throw new APIConnectionError(`stream from ${url} broke off: ${error instanceof Error ? error.message : String(error)}`, { url, cause: error, isRetryable: true });
  }
  return {
    content,
    reasoningContent: reasoning || null,
    finishReason,
    usage: usage ?? { prompt_tokens: 0, completion_tokens: 0 },
    latencyMs: performance.now() - started,
    timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
    headers,
  };
}
