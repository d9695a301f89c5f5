import type { z } from 'zod';
import type { HttpClient, RequestOptions } from './http-client.js';
import { parseChatLogprobs, type ParsedLogprobs } from './logprobs.js';
import { bodyForProvider, type ProviderFlavor } from './provider-flavor.js';
import { chatCompletionSchema, type ChatMessage, type Usage } from './protocol.js';

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
  /** Top-k log-probs of the answer tokens, when the request asked for them (`logprobs: true`). */
  logprobs?: ParsedLogprobs | null;
}

/** The request body for `parameters`, shaped for the endpoint's provider (see provider-flavor.ts). */
export function chatRequestBody(parameters: ChatParameters, stream: boolean, flavor?: ProviderFlavor): Record<string, unknown> {
  const { extra, ...standard } = parameters;
  const body: Record<string, unknown> = { ...standard, ...extra };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  bodyForProvider(body, flavor, parameters.model);
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
    logprobs: parseChatLogprobs(completion),
  };
}

export async function createChatCompletion(
  http: HttpClient,
  parameters: ChatParameters,
  options: RequestOptions = {},
  bodyText = JSON.stringify(chatRequestBody(parameters, false, http.flavor)),
): Promise<ChatResult> {
  const started = performance.now();
  const response = await http.jsonText('POST', '/chat/completions', chatCompletionSchema, bodyText, options);
  return { ...chatResultFromCompletion(response.data), latencyMs: performance.now() - started, timeToFirstTokenMs: null, headers: response.headers };
}
