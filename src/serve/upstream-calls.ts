import { createChatCompletion, type ChatParameters } from '../llm/chat.js';
import { APITimeoutError } from '../llm/errors.js';
import type { Usage } from '../llm/protocol.js';
import { estimatePromptTokens, estimateTokens } from '../llm/token-estimate.js';
import { splitReasoning } from '../llm/reasoning.js';
import { DistilleryError } from '../errors.js';
import { GatewayError } from './gateway-error.js';
import type { ServeTarget } from './serve-target.js';
import { streamChatPieces, type StreamPiece } from './upstream-stream.js';

/** The client went away while its answer was being made: nothing more is sent, the request is `cancelled`. */
export class ClientClosedError extends DistilleryError {}

export interface BufferedAnswer {
  output: string;
  finishReason: string;
  usage: Usage;
}

/** Real usage when the server reports it, an estimate otherwise (some servers send none when streaming). */
export function usageOrEstimate(usage: Usage | null, parameters: ChatParameters, output: string): Usage {
  return {
    prompt_tokens: usage?.prompt_tokens || estimatePromptTokens(parameters.messages),
    completion_tokens: usage?.completion_tokens || (output === '' ? 0 : estimateTokens(output)),
  };
}

/** Asks a target for its whole answer (reasoning removed), within `timeoutMs`. */
export async function askBuffered(target: ServeTarget, parameters: ChatParameters, timeoutMs: number, signal: AbortSignal): Promise<BufferedAnswer> {
  try {
    // One attempt: the fallback target is the gateway's retry, and the client is waiting.
    const result = await createChatCompletion(target.http, parameters, { timeoutMs, signal, retry: false });
    const output = splitReasoning(result.content, result.reasoningContent, target.prompt?.assistantPrefix).output;
    return { output, finishReason: result.finishReason ?? 'stop', usage: usageOrEstimate(result.usage, parameters, output) };
  } catch (error) {
    if (signal.aborted) throw new ClientClosedError('the client closed the connection', { cause: error });
    throw error;
  }
}

/** A streamed answer that has begun: the pieces read up to its first content, and the rest to come. */
export interface OpenedStream {
  held: StreamPiece[];
  rest: AsyncGenerator<StreamPiece>;
  ended: boolean;
  /** Aborts the upstream request (the client went away). */
  abort(): void;
}

/**
 * Opens a streamed answer and reads until its first content token (or its end), within `firstTokenMs`: until
 * then nothing has gone to the client, so a failure can still fall back.
 */
export async function openStream(target: ServeTarget, parameters: ChatParameters, firstTokenMs: number, clientSignal: AbortSignal): Promise<OpenedStream> {
  const upstream = new AbortController();
  const firstToken = new AbortController();
  const timer = setTimeout(() => firstToken.abort(), firstTokenMs);
  const signal = AbortSignal.any([clientSignal, upstream.signal, firstToken.signal]);
  const rest = streamChatPieces(target.http, parameters, { signal });
  const held: StreamPiece[] = [];
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return { held, rest, ended: true, abort: () => upstream.abort() };
      held.push(next.value);
      if (next.value.content !== '') return { held, rest, ended: false, abort: () => upstream.abort() };
    }
  } catch (error) {
    if (clientSignal.aborted) throw new ClientClosedError('the client closed the connection', { cause: error });
    if (firstToken.signal.aborted) {
      const url = target.http.url('/chat/completions');
      throw new APITimeoutError(`no first token from ${target.model} at ${url} within ${firstTokenMs} ms`, { url, cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The public error for a request the fallback could not answer either (the detail goes to the log). */
export function fallbackFailure(error: unknown): Error {
  if (error instanceof ClientClosedError) return error;
  if (error instanceof APITimeoutError) return new GatewayError(504, 'The model did not answer in time.', 'timeout_error', 'upstream_timeout', null, { cause: error });
  return new GatewayError(502, 'The model could not answer this request.', 'server_error', 'upstream_error', null, { cause: error });
}
