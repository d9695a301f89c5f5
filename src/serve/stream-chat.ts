import type { ChatParameters } from '../llm/chat.js';
import type { Usage } from '../llm/protocol.js';
import { errorMessage } from '../errors.js';
import type { ChatDependencies } from './chat-dependencies.js';
import type { ChatExchange } from './chat-exchange.js';
import { ChunkWriter, streamPiecesOf } from './completion-shapes.js';
import { tryStudent } from './complete-chat.js';
import type { FallbackDecision } from './fallback-policy.js';
import { targetParameters, type ServeTarget } from './serve-target.js';
import { ThinkFilter } from './think-filter.js';
import { ClientClosedError, fallbackFailure, openStream, usageOrEstimate, type OpenedStream } from './upstream-calls.js';
import type { StreamPiece } from './upstream-stream.js';

/** A stream already complete: a buffered answer, sent as a model would stream it. */
async function* noMorePieces(): AsyncGenerator<StreamPiece> {}

function openedFromText(text: string, finishReason: string, usage: Usage): OpenedStream {
  const held: StreamPiece[] = streamPiecesOf(text).map((content) => ({ content, finishReason: null, usage: null }));
  held.push({ content: '', finishReason, usage });
  return { held, rest: noMorePieces(), ended: true, abort: () => undefined };
}

function openedByPrefix(target: ServeTarget): boolean {
  const prefix = target.prompt?.assistantPrefix ?? '';
  return prefix.includes('<think>') && !prefix.includes('</think>');
}

/**
 * A streamed chat completion. With a verifier the student's whole answer is checked before any of it is sent;
 * without one it streams through, and a student that fails before its first token still falls back.
 */
export async function streamChat(dependencies: ChatDependencies, exchange: ChatExchange, signal: AbortSignal): Promise<Response> {
  const { student, fallback } = dependencies.targets;
  const studentParameters = targetParameters(student, exchange.request);
  let decision: FallbackDecision | null = dependencies.policy.beforeStudent(studentParameters);
  if (decision === null && dependencies.policy.needsFullOutput) {
    decision = await tryStudent(dependencies, exchange, studentParameters, signal);
    if (decision === null) return streamResponse(dependencies, exchange, openedFromText(exchange.finalOutput ?? '', exchange.finishReason, exchange.usage), null, studentParameters);
  } else if (decision === null) {
    try {
      const opened = await openStream(student, studentParameters, dependencies.studentTimeoutMs, signal);
      const empty = opened.ended && opened.held.every((piece) => piece.content === '');
      if (!empty) {
        exchange.servedBy = 'student';
        exchange.answeredModel = student.model;
        return streamResponse(dependencies, exchange, opened, new ThinkFilter(openedByPrefix(student)), studentParameters);
      }
      exchange.studentOutput = '';
      decision = dependencies.policy.afterStudent('');
    } catch (error) {
      if (error instanceof ClientClosedError) throw error;
      decision = dependencies.policy.onStudentError(error);
    }
  }
  exchange.fallback = decision;
  const fallbackParameters = targetParameters(fallback, exchange.request);
  let opened: OpenedStream;
  try {
    opened = await openStream(fallback, fallbackParameters, dependencies.fallbackTimeoutMs, signal);
  } catch (error) {
    throw fallbackFailure(error);
  }
  exchange.servedBy = 'fallback';
  exchange.answeredModel = fallback.model;
  return streamResponse(dependencies, exchange, opened, new ThinkFilter(openedByPrefix(fallback)), fallbackParameters);
}

/** The SSE response: role chunk, content chunks as they come, finish (and usage) chunk, `[DONE]`. */
function streamResponse(dependencies: ChatDependencies, exchange: ChatExchange, opened: OpenedStream, filter: ThinkFilter | null, parameters: ChatParameters): Response {
  const { recorder } = dependencies;
  const writer = new ChunkWriter(exchange.identity, exchange.request.stream_options?.include_usage === true);
  let text = '';
  let usage: Usage | null = null;
  let finishReason = 'stop';
  let closed = false;

  /** Passes a piece on; false when it carried nothing visible. */
  const take = (controller: ReadableStreamDefaultController<Uint8Array>, piece: StreamPiece): boolean => {
    if (piece.usage !== null) usage = piece.usage;
    if (piece.finishReason !== null) finishReason = piece.finishReason;
    const visible = filter === null ? piece.content : filter.push(piece.content);
    text += visible;
    if (visible !== '') controller.enqueue(writer.content(visible));
    return visible !== '';
  };
  const settleText = (): void => {
    exchange.finalOutput = text;
    if (exchange.servedBy === 'student') exchange.studentOutput = text;
    exchange.usage = usageOrEstimate(usage, parameters, text);
  };
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    if (closed) return;
    closed = true;
    const tail = filter?.flush() ?? '';
    if (tail !== '') {
      text += tail;
      controller.enqueue(writer.content(tail));
    }
    settleText();
    exchange.finishReason = finishReason;
    for (const event of writer.finish(finishReason, exchange.usage)) controller.enqueue(event);
    controller.close();
    recorder.finish(exchange, 'ok');
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(writer.role());
      for (const piece of opened.held) take(controller, piece);
      if (opened.ended) finish(controller);
    },
    async pull(controller) {
      if (closed) return;
      try {
        // A pull that enqueues nothing is not called again: read until something goes out or the end.
        for (;;) {
          const next = await opened.rest.next();
          if (next.done === true) return finish(controller);
          if (take(controller, next.value)) return;
        }
      } catch (error) {
        if (closed) return;
        closed = true;
        controller.enqueue(writer.error('The model stopped answering mid-stream.', 'server_error'));
        controller.close();
        settleText();
        recorder.finish(exchange, 'failed', error);
        recorder.logError(`stream ${exchange.identity.id} broke off: ${errorMessage(error)}`);
      }
    },
    cancel() {
      closed = true;
      opened.abort();
      settleText();
      recorder.finish(exchange, 'cancelled');
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...exchange.servingHeaders() },
  });
}
