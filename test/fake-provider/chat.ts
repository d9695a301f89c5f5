import { HttpError, isResponseGone, jsonObjectBody, sendError, sendJson, type RequestContext } from './http.js';
import { makeId, unixSeconds } from './ids.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { contentText, countPromptTokens, countTokens, truncateToTokens } from './tokens.js';
import type { AnswerFunction, AnswerObject, ChatRequest, ProviderRuntime, Route, Usage } from './types.js';
import type { FaultKind } from './faults.js';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string; reasoning_content?: string; refusal: null };
    logprobs: ChatLogprobs | null;
    finish_reason: string;
  }>;
  usage: Usage;
  /** Together's ChatCompletionResponse requires it (the echoed prompt parts; empty unless `echo`); OpenAI ignores it. */
  prompt: [];
}

/** OpenAI's `choices[].logprobs` (Chat Completions reference): per content token, its log-prob and the top alternatives. */
interface ChatLogprobs {
  content: Array<{ token: string; logprob: number; bytes: number[]; top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }> }>;
  refusal: null;
}

/**
 * Deterministic log-probs for `content`, one entry per stream piece: the piece itself is the most likely token and
 * the alternatives are the piece with a suffix, less likely each. Shape and limits as OpenAI documents them.
 */
function fakeLogprobs(content: string, topLogprobs: number): ChatLogprobs {
  const bytes = (text: string) => [...Buffer.from(text, 'utf8')];
  return {
    content: streamPieces(content).map((token, position) => {
      const logprob = -0.05 * ((position % 5) + 1);
      const top = Array.from({ length: topLogprobs }, (_, rank) => {
        const alternative = rank === 0 ? token : `${token}~${rank}`;
        const value = rank === 0 ? logprob : logprob - rank;
        return { token: alternative, logprob: value, bytes: bytes(alternative) };
      });
      return { token, logprob, bytes: bytes(token), top_logprobs: top };
    }),
    refusal: null,
  };
}

/** The default answer: the last user message, uppercased. */
export const echoUppercase: AnswerFunction = (request) => {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  return contentText(lastUser?.content).toUpperCase();
};

/** Check a chat request the way the real API does; a 400 in OpenAI's shape otherwise. */
export function validateChatRequest(body: Record<string, unknown>): ChatRequest {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new HttpError(400, 'you must provide a model parameter', 'invalid_request_error', null, 'model');
  }
  if (!Array.isArray(body.messages)) {
    throw new HttpError(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
  }
  if (body.messages.length === 0) {
    throw new HttpError(400, "Invalid 'messages': empty array. Expected an array with minimum length 1.", 'invalid_request_error', 'empty_array', 'messages');
  }
  body.messages.forEach((message: unknown, index) => {
    if (typeof message !== 'object' || message === null || typeof (message as { role?: unknown }).role !== 'string') {
      throw new HttpError(400, `Missing required parameter: 'messages[${index}].role'.`, 'invalid_request_error', 'missing_required_parameter', `messages[${index}].role`);
    }
  });
  for (const field of ['max_tokens', 'max_completion_tokens'] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      throw new HttpError(400, `Invalid '${field}': integer below minimum value. Expected a value >= 1.`, 'invalid_request_error', 'integer_below_min_value', field);
    }
  }
  const top = body.top_logprobs;
  if (top !== undefined && top !== null) {
    if (typeof top !== 'number' || !Number.isInteger(top) || top < 0 || top > 20) {
      throw new HttpError(400, `Invalid 'top_logprobs': integer out of range. Expected a value between 0 and 20.`, 'invalid_request_error', 'integer_out_of_range', 'top_logprobs');
    }
    if (body.logprobs !== true) throw new HttpError(400, "Invalid value for 'logprobs': must be true when 'top_logprobs' is specified.", 'invalid_request_error', 'invalid_value', 'logprobs');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw new HttpError(400, `Invalid type for 'stream': expected a boolean.`, 'invalid_request_error', 'invalid_type', 'stream');
  }
  return body as ChatRequest;
}

async function resolveAnswer(request: ChatRequest, answer: AnswerFunction): Promise<AnswerObject> {
  const value = await answer(request);
  return typeof value === 'string' ? { content: value } : value;
}

/**
 * Build the completion for a request: answer, then `max_tokens` (or `max_completion_tokens`) truncation, which
 * spends the budget on `reasoning_content` first, then on `content`, and sets `finish_reason: "length"` when it cuts.
 * `fault` applies the content faults `empty-content` and `truncate`.
 */
export async function buildCompletion(request: ChatRequest, answer: AnswerFunction, fault?: FaultKind): Promise<ChatCompletion> {
  const resolved = await resolveAnswer(request, answer);
  let content = resolved.content;
  let reasoning = resolved.reasoning_content;
  let finishReason = resolved.finish_reason ?? 'stop';
  const budget = request.max_completion_tokens ?? request.max_tokens;
  if (typeof budget === 'number') {
    const reasoningTokens = reasoning === undefined ? 0 : countTokens(reasoning);
    if (reasoning !== undefined && reasoningTokens >= budget) {
      if (reasoningTokens > budget || countTokens(content) > 0) finishReason = 'length';
      reasoning = truncateToTokens(reasoning, budget);
      content = '';
    } else if (countTokens(content) > budget - reasoningTokens) {
      content = truncateToTokens(content, budget - reasoningTokens);
      finishReason = 'length';
    }
  }
  if (fault === 'empty-content') {
    content = '';
    finishReason = 'stop';
  } else if (fault === 'truncate') {
    content = truncateToTokens(content, Math.floor(countTokens(content) / 2));
    finishReason = 'length';
  }
  const promptTokens = resolved.usage?.prompt_tokens ?? countPromptTokens(request.messages);
  const completionTokens = resolved.usage?.completion_tokens ?? countTokens(content) + (reasoning === undefined ? 0 : countTokens(reasoning));
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content, refusal: null };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  return {
    id: makeId('chatcmpl-'),
    object: 'chat.completion',
    created: unixSeconds(),
    model: request.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: request.logprobs === true ? fakeLogprobs(content, Number(request.top_logprobs ?? 0)) : null, finish_reason: finishReason }],
    prompt: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: resolved.usage?.total_tokens ?? promptTokens + completionTokens,
    },
  };
}

/** `content` split into stream pieces, one per token with its leading whitespace. */
function streamPieces(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** Answer as Server-Sent Events: role chunk, reasoning and content deltas, a finish chunk, an optional usage chunk, `[DONE]`. */
function streamCompletion(ctx: RequestContext, request: ChatRequest, completion: ChatCompletion): void {
  const choice = completion.choices[0];
  if (choice === undefined || isResponseGone(ctx)) return;
  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) => ({
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    system_fingerprint: completion.system_fingerprint,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const events: unknown[] = [chunk({ role: 'assistant', content: '' }, null)];
  // `role` in every delta: OpenAI's document allows it, Together's requires it.
  for (const piece of streamPieces(choice.message.reasoning_content ?? '')) events.push(chunk({ role: 'assistant', reasoning_content: piece }, null));
  for (const piece of streamPieces(choice.message.content)) events.push(chunk({ role: 'assistant', content: piece }, null));
  events.push(chunk({ role: 'assistant' }, choice.finish_reason));
  if (includeUsage) events.push({ ...chunk({}, null), choices: [], usage: completion.usage });
  const lines = events.map((event) => `data: ${JSON.stringify(event)}\n\n`);
  lines.push('data: [DONE]\n\n');

  ctx.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': ctx.requestId,
    ...ctx.extraHeaders,
  });
  if (ctx.fault?.kind === 'drop-mid-response') {
    ctx.res.write(lines.slice(0, Math.max(1, Math.floor(lines.length / 2))).join(''), () => ctx.res.destroy());
    return;
  }
  ctx.res.end(lines.join(''));
}

export function chatRoutes(runtime: ProviderRuntime): Route[] {
  let limiter: { options: RateLimitOptions; limiter: RateLimiter } | undefined;
  let inFlight = 0;
  const limiterFor = (options: RateLimitOptions): RateLimiter => {
    if (limiter?.options !== options) limiter = { options, limiter: new RateLimiter(options) };
    return limiter.limiter;
  };

  const isServed = (model: string): boolean => {
    const allowed = runtime.behaviour().models;
    return allowed === undefined || allowed.includes(model) || runtime.state.servedModels.has(model);
  };

  return [
    {
      // The models chat completions accept: the configured list (or none when any is accepted) plus fine-tuned ones.
      method: 'GET',
      pattern: /^\/v1\/models$/,
      handle(ctx) {
        const names = [...(runtime.behaviour().models ?? []), ...runtime.state.servedModels];
        sendJson(ctx, 200, { object: 'list', data: [...new Set(names)].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake-provider' })) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/chat\/completions$/,
      async handle(ctx) {
        const request = validateChatRequest(jsonObjectBody(ctx));
        if (!isServed(request.model)) {
          throw new HttpError(404, `The model \`${request.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
        }
        const behaviour = runtime.behaviour();
        if (behaviour.maxInFlight !== undefined && inFlight >= behaviour.maxInFlight) {
          throw new HttpError(429, `Too many concurrent requests: at most ${behaviour.maxInFlight} in flight.`, 'requests', 'rate_limit_exceeded');
        }
        inFlight++;
        try {
          await answerChat(ctx, request, behaviour);
        } finally {
          inFlight--;
        }
      },
    },
  ];

  async function answerChat(ctx: RequestContext, request: ChatRequest, behaviour: ReturnType<ProviderRuntime['behaviour']>): Promise<void> {
    const fault = ctx.fault?.kind;
    const completion = await buildCompletion(request, behaviour.answer, fault);
    if (behaviour.rateLimit !== undefined) {
      const decision = limiterFor(behaviour.rateLimit).check(completion.usage.total_tokens);
      Object.assign(ctx.extraHeaders, decision.headers);
      if (!decision.allowed) {
        const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        sendError(
          ctx,
          new HttpError(429, `Rate limit reached for ${request.model} on ${decision.limited} per min (RPM/TPM). Please try again in ${seconds}s.`, decision.limited, 'rate_limit_exceeded', null, {
            'retry-after': String(seconds),
            'retry-after-ms': String(Math.ceil(decision.retryAfterMs)),
          }),
        );
        return;
      }
    }
    if (behaviour.latencyMs > 0) await runtime.delay(behaviour.latencyMs);
    if (request.stream === true) streamCompletion(ctx, request, completion);
    else sendJson(ctx, 200, completion);
  }
}
