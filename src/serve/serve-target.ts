import { buildPrompt, type PromptSpec } from '../data/chat-format.js';
import type { ChatParameters } from '../llm/chat.js';
import type { HttpClient } from '../llm/http-client.js';
import { requestInput, requestMessages, type ChatRequest } from './chat-request.js';

/** One model the gateway can ask: an OpenAI-compatible endpoint and a model id there. */
export interface ServeTarget {
  http: HttpClient;
  model: string;
  /**
   * How a task input becomes this model's messages (its system prompt, template, assistant prefix). Absent:
   * the client's messages are forwarded unchanged.
   */
  prompt?: PromptSpec;
  /** max_tokens when the client sets none. */
  maxTokens?: number;
  /** Provider-specific body fields (e.g. `chat_template_kwargs`). */
  extraBody?: Record<string, unknown>;
}

/** The two models behind the gateway, and what to stop when it closes (a local worker it started). */
export interface ServeTargets {
  student: ServeTarget;
  fallback: ServeTarget;
  close?: () => Promise<void>;
}

/** The upstream request for a client request. */
export function targetParameters(target: ServeTarget, request: ChatRequest): ChatParameters {
  let messages = requestMessages(request);
  let promptExtra: Record<string, unknown> = {};
  if (target.prompt !== undefined) {
    const built = buildPrompt(target.prompt, requestInput(request));
    messages = built.messages;
    promptExtra = built.extra;
  }
  return {
    model: target.model,
    messages,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? target.maxTokens,
    temperature: request.temperature ?? undefined,
    top_p: request.top_p ?? undefined,
    seed: request.seed ?? undefined,
    stop: typeof request.stop === 'string' ? [request.stop] : (request.stop ?? undefined),
    extra: { ...target.extraBody, ...promptExtra },
  };
}
