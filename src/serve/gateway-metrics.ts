import { Counter, Gauge, Histogram, renderMetrics } from './prometheus.js';
import { fallbackReasons, type FallbackReason } from './serve-config.js';

/** Seconds: from a cached classifier answer (5 ms) to a long teacher generation (2 min). */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export type ServedBy = 'student' | 'fallback';
export type RequestOutcome = 'ok' | 'failed' | 'cancelled';

/** The gateway's figures, exposed at /metrics. */
export class GatewayMetrics {
  readonly requests = new Counter('distillery_serve_requests_total', 'Chat completion requests by the model that answered and outcome.');
  readonly latency = new Histogram('distillery_serve_request_duration_seconds', 'Time from request to the last byte of the answer.', LATENCY_BUCKETS_SECONDS);
  readonly fallbacks = new Counter('distillery_serve_fallbacks_total', 'Requests answered by the fallback, by reason.');
  readonly promptTokens = new Counter('distillery_serve_prompt_tokens_total', 'Prompt tokens reported by the model that answered.');
  readonly completionTokens = new Counter('distillery_serve_completion_tokens_total', 'Completion tokens reported by the model that answered.');
  readonly rejected = new Counter('distillery_serve_rejected_total', 'Requests refused before reaching a model (auth, size, validation, unknown model), by HTTP status.');
  readonly inFlight = new Gauge('distillery_serve_requests_in_flight', 'Chat completion requests being answered now.');

  constructor() {
    for (const reason of fallbackReasons) this.fallbacks.increment({ reason }, 0);
  }

  recordRequest(figures: { model: string; servedBy: ServedBy | null; outcome: RequestOutcome; seconds: number; promptTokens: number; completionTokens: number; fallbackReason: FallbackReason | null }): void {
    const servedBy = figures.servedBy ?? 'none';
    this.requests.increment({ model: figures.model, served_by: servedBy, outcome: figures.outcome });
    this.latency.observe(figures.seconds, { served_by: servedBy });
    if (figures.fallbackReason !== null) this.fallbacks.increment({ reason: figures.fallbackReason });
    if (figures.promptTokens > 0) this.promptTokens.increment({ model: figures.model }, figures.promptTokens);
    if (figures.completionTokens > 0) this.completionTokens.increment({ model: figures.model }, figures.completionTokens);
  }

  render(): string {
    return renderMetrics([this.requests, this.latency, this.fallbacks, this.promptTokens, this.completionTokens, this.rejected, this.inFlight]);
  }
}
