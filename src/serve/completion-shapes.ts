import { randomBytes } from 'node:crypto';
import type { Usage } from '../llm/protocol.js';

/** The OpenAI wire shapes the gateway answers with: a completion, its stream chunks, and `[DONE]`. */

export function newCompletionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

function usageBody(usage: Usage) {
  return { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

export function completionBody(identity: CompletionIdentity, content: string, finishReason: string, usage: Usage) {
  return {
    id: identity.id,
    object: 'chat.completion' as const,
    created: identity.created,
    model: identity.model,
    system_fingerprint: null,
    choices: [{ index: 0, message: { role: 'assistant' as const, content, refusal: null }, logprobs: null, finish_reason: finishReason }],
    usage: usageBody(usage),
  };
}

/** Encodes SSE events of one streamed completion; `includeUsage` follows the client's `stream_options`. */
export class ChunkWriter {
  private readonly encoder = new TextEncoder();
  constructor(
    private readonly identity: CompletionIdentity,
    private readonly includeUsage: boolean,
  ) {}

  private event(payload: unknown): Uint8Array {
    return this.encoder.encode(`data: ${JSON.stringify(payload)}\n\n`);
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null) {
    return this.event({
      id: this.identity.id,
      object: 'chat.completion.chunk',
      created: this.identity.created,
      model: this.identity.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }

  role(): Uint8Array {
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  content(text: string): Uint8Array {
    return this.chunk({ content: text }, null);
  }

  /** The finish chunk, the usage chunk when asked for, and `[DONE]`. */
  finish(finishReason: string, usage: Usage): Uint8Array[] {
    const events = [this.chunk({}, finishReason)];
    if (this.includeUsage) {
      events.push(
        this.event({ id: this.identity.id, object: 'chat.completion.chunk', created: this.identity.created, model: this.identity.model, system_fingerprint: null, choices: [], usage: usageBody(usage) }),
      );
    }
    events.push(this.encoder.encode('data: [DONE]\n\n'));
    return events;
  }

  /** A mid-stream failure, as OpenAI sends it: an `error` event, then the stream ends. */
  error(message: string, type: string): Uint8Array {
    return this.event({ error: { message, type, param: null, code: null } });
  }
}

/** Splits a buffered answer into stream pieces (a word with its leading space each), as a model streams. */
export function streamPiecesOf(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? (text === '' ? [] : [text]);
}
