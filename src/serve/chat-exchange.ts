import type { Usage } from '../llm/protocol.js';
import type { ChatRequest } from './chat-request.js';
import { newCompletionId, type CompletionIdentity } from './completion-shapes.js';
import type { FallbackDecision } from './fallback-policy.js';
import type { ServedBy } from './gateway-metrics.js';

/** What one chat completion request became, filled in as it is answered; recorded when it ends. */
export class ChatExchange {
  readonly identity: CompletionIdentity;
  readonly at = new Date().toISOString();
  readonly startedAt = performance.now();
  readonly stream: boolean;
  servedBy: ServedBy | null = null;
  /** The upstream model id that answered. */
  answeredModel: string | null = null;
  fallback: FallbackDecision | null = null;
  studentOutput: string | null = null;
  finalOutput: string | null = null;
  finishReason = 'stop';
  usage: Usage = { prompt_tokens: 0, completion_tokens: 0 };

  constructor(
    readonly request: ChatRequest,
    readonly input: string,
    modelName: string,
  ) {
    this.identity = { id: newCompletionId(), created: Math.floor(Date.now() / 1000), model: modelName };
    this.stream = request.stream === true;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Response headers that say who answered and why (for clients and tests; the log has the detail). */
  servingHeaders(): Record<string, string> {
    const headers: Record<string, string> = { 'x-request-id': this.identity.id };
    if (this.servedBy !== null) headers['x-distillery-served-by'] = this.servedBy;
    if (this.fallback !== null) headers['x-distillery-fallback-reason'] = this.fallback.reason;
    return headers;
  }
}
