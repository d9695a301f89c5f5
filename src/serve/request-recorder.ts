import { errorMessage } from '../errors.js';
import type { ChatExchange } from './chat-exchange.js';
import type { GatewayMetrics, RequestOutcome } from './gateway-metrics.js';
import type { RequestLog } from './request-log.js';

export type GatewayLogger = (line: string) => void;

/**
 * Counts requests in flight and, when each ends, writes its metrics and its row in the request log.
 */
export class RequestRecorder {
  private inFlight = 0;
  private readonly recorded = new WeakSet<ChatExchange>();

  constructor(
    readonly metrics: GatewayMetrics,
    private readonly log: RequestLog | undefined,
    private readonly logger: GatewayLogger,
  ) {}

  /** A detail for the operator (never sent to clients). */
  logError(line: string): void {
    this.logger(line);
  }

  start(): void {
    this.inFlight++;
    this.metrics.inFlight.inc();
  }

  /** Records the end of an exchange; a second call for the same exchange is ignored. */
  finish(exchange: ChatExchange, outcome: RequestOutcome, error?: unknown): void {
    if (this.recorded.has(exchange)) return;
    this.recorded.add(exchange);
    const latencyMs = exchange.elapsedMs();
    this.metrics.recordRequest({
      model: exchange.answeredModel ?? 'none',
      servedBy: exchange.servedBy,
      outcome,
      seconds: latencyMs / 1000,
      promptTokens: exchange.usage.prompt_tokens,
      completionTokens: exchange.usage.completion_tokens,
      fallbackReason: exchange.fallback?.reason ?? null,
    });
    try {
      this.log?.record({
        completionId: exchange.identity.id,
        at: exchange.at,
        model: exchange.request.model,
        stream: exchange.stream,
        input: exchange.input,
        studentOutput: exchange.studentOutput,
        finalOutput: exchange.finalOutput,
        servedBy: exchange.servedBy,
        fallbackReason: exchange.fallback?.reason ?? null,
        fallbackDetail: exchange.fallback?.detail ?? null,
        status: outcome,
        error: error === undefined ? null : errorMessage(error),
        latencyMs,
        promptTokens: exchange.usage.prompt_tokens,
        completionTokens: exchange.usage.completion_tokens,
      });
    } catch (logError) {
      // A full disk must not fail an answer already given; it is said on stderr.
      this.logError(`request log: could not record ${exchange.identity.id}: ${errorMessage(logError)}`);
    }
    this.inFlight--;
    this.metrics.inFlight.dec();
  }

  get active(): number {
    return this.inFlight;
  }
}
