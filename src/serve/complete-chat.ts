import type { ChatParameters } from '../llm/chat.js';
import type { ChatDependencies } from './chat-dependencies.js';
import type { ChatExchange } from './chat-exchange.js';
import { completionBody } from './completion-shapes.js';
import type { FallbackDecision } from './fallback-policy.js';
import type { ServedBy } from './gateway-metrics.js';
import { targetParameters, type ServeTarget } from './serve-target.js';
import { askBuffered, ClientClosedError, fallbackFailure, type BufferedAnswer } from './upstream-calls.js';

function settle(exchange: ChatExchange, servedBy: ServedBy, target: ServeTarget, answer: BufferedAnswer): void {
  exchange.servedBy = servedBy;
  exchange.answeredModel = target.model;
  exchange.finalOutput = answer.output;
  exchange.finishReason = answer.finishReason;
  exchange.usage = answer.usage;
}

/** Asks the student for its whole answer: null when the answer is served, otherwise why to fall back. */
export async function tryStudent(dependencies: ChatDependencies, exchange: ChatExchange, parameters: ChatParameters, signal: AbortSignal): Promise<FallbackDecision | null> {
  const student = dependencies.targets.student;
  let answer: BufferedAnswer;
  try {
    answer = await askBuffered(student, parameters, dependencies.studentTimeoutMs, signal);
  } catch (error) {
    if (error instanceof ClientClosedError) throw error;
    return dependencies.policy.onStudentError(error);
  }
  exchange.studentOutput = answer.output;
  const decision = dependencies.policy.afterStudent(answer.output);
  if (decision === null) settle(exchange, 'student', student, answer);
  return decision;
}

/** A non-streamed chat completion: the student's answer, or the fallback's when a rule says so. */
export async function completeChat(dependencies: ChatDependencies, exchange: ChatExchange, signal: AbortSignal): Promise<Response> {
  const { student, fallback } = dependencies.targets;
  const studentParameters = targetParameters(student, exchange.request);
  const decision = dependencies.policy.beforeStudent(studentParameters) ?? (await tryStudent(dependencies, exchange, studentParameters, signal));
  if (decision !== null) {
    exchange.fallback = decision;
    let answer: BufferedAnswer;
    try {
      answer = await askBuffered(fallback, targetParameters(fallback, exchange.request), dependencies.fallbackTimeoutMs, signal);
    } catch (error) {
      throw fallbackFailure(error);
    }
    settle(exchange, 'fallback', fallback, answer);
  }
  dependencies.recorder.finish(exchange, 'ok');
  const body = completionBody(exchange.identity, exchange.finalOutput ?? '', exchange.finishReason, exchange.usage);
  return Response.json(body, { headers: exchange.servingHeaders() });
}
