import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { fallbackReasons, type FallbackReason } from '../config/serve-config.js';

/** Seconds: from a cached classifier answer (5 ms) to a long teacher generation (2 min). */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export type ServedBy = 'student' | 'fallback';
export type RequestOutcome = 'ok' | 'failed' | 'cancelled';

/**
 * The gateway's figures, exposed at /metrics in Prometheus's text format by prom-client. Each gateway has its
 * own registry (never prom-client's global one), so two gateways in one process do not share counts.
 */
export class GatewayMetrics {
  private readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  readonly requests = new Counter({ name: 'distillery_serve_requests_total', help: 'Chat completion requests by the model that answered and outcome.', labelNames: ['model', 'served_by', 'outcome'], registers: [this.registry] });
  readonly latency = new Histogram({ name: 'distillery_serve_request_duration_seconds', help: 'Time from request to the last byte of the answer.', labelNames: ['served_by'], buckets: LATENCY_BUCKETS_SECONDS, registers: [this.registry] });
  readonly fallbacks = new Counter({ name: 'distillery_serve_fallbacks_total', help: 'Requests answered by the fallback, by reason.', labelNames: ['reason'], registers: [this.registry] });
  readonly promptTokens = new Counter({ name: 'distillery_serve_prompt_tokens_total', help: 'Prompt tokens reported by the model that answered.', labelNames: ['model'], registers: [this.registry] });
  readonly completionTokens = new Counter({ name: 'distillery_serve_completion_tokens_total', help: 'Completion tokens reported by the model that answered.', labelNames: ['model'], registers: [this.registry] });
  readonly rejected = new Counter({ name: 'distillery_serve_rejected_total', help: 'Requests refused before reaching a model (auth, size, validation, unknown model), by HTTP status.', labelNames: ['status'], registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'distillery_serve_requests_in_flight', help: 'Chat completion requests being answered now.', registers: [this.registry] });

  constructor() {
    // Every reason shows from the start (at 0), so a dashboard's rate() has a series before the first fallback.
    for (const reason of fallbackReasons) this.fallbacks.inc({ reason }, 0);
  }

  recordRequest(figures: { model: string; servedBy: ServedBy | null; outcome: RequestOutcome; seconds: number; promptTokens: number; completionTokens: number; fallbackReason: FallbackReason | null }): void {
    const servedBy = figures.servedBy ?? 'none';
    this.requests.inc({ model: figures.model, served_by: servedBy, outcome: figures.outcome });
    this.latency.observe({ served_by: servedBy }, figures.seconds);
    if (figures.fallbackReason !== null) this.fallbacks.inc({ reason: figures.fallbackReason });
    if (figures.promptTokens > 0) this.promptTokens.inc({ model: figures.model }, figures.promptTokens);
    if (figures.completionTokens > 0) this.completionTokens.inc({ model: figures.model }, figures.completionTokens);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
