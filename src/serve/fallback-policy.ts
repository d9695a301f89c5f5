import type { ChatParameters } from '../llm/chat.js';
import { APITimeoutError } from '../llm/errors.js';
import { estimatePromptTokens } from '../llm/token-estimate.js';
import { errorMessage } from '../errors.js';
import type { FallbackReason, ServeRules } from '../config/serve-config.js';
import { createVerifier, type Verifier } from './verifier.js';

/** Why a request went to the fallback, as recorded with it. */
export interface FallbackDecision {
  reason: FallbackReason;
  detail: string;
}

/** The rules that send a request from the student to the fallback. */
export class FallbackPolicy {
  private readonly verifier: Verifier | undefined;

  constructor(private readonly rules: ServeRules) {
    this.verifier = rules.verify === undefined ? undefined : createVerifier(rules.verify);
  }

  /** A verifier needs the student's whole answer before a byte of it may go out. */
  get needsFullOutput(): boolean {
    return this.verifier !== undefined;
  }

  /** Decided before the student is asked: an input too long for it. */
  beforeStudent(parameters: ChatParameters): FallbackDecision | null {
    const limit = this.rules.max_input_tokens;
    if (limit === undefined) return null;
    const estimated = estimatePromptTokens(parameters.messages);
    return estimated > limit ? { reason: 'input_too_long', detail: `about ${estimated} prompt tokens, more than ${limit}` } : null;
  }

  /** Decided on the student's full answer: empty, or failing the verifier. */
  afterStudent(output: string): FallbackDecision | null {
    if (output.trim() === '') return { reason: 'error', detail: 'empty answer' };
    const failure = this.verifier?.(output) ?? null;
    return failure === null ? null : { reason: 'verifier_failed', detail: failure };
  }

  /** The student failed to answer: timed out, or any other error. */
  onStudentError(error: unknown, timedOut = false): FallbackDecision {
    if (timedOut || error instanceof APITimeoutError) return { reason: 'timeout', detail: errorMessage(error) };
    return { reason: 'error', detail: errorMessage(error) };
  }
}
