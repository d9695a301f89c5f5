import { costOf, type Price } from '../../llm/pricing.js';
import type { ModelReport } from '../../report/evaluation-report-schema.js';
import type { PredictionRecord } from './prediction-record.js';
import { latencyPercentiles } from './stats/percentiles.js';

export type ServingFigures = Pick<ModelReport, 'n' | 'failed' | 'cached' | 'latency_ms' | 'time_to_first_token_ms' | 'throughput_rps' | 'tokens_per_request' | 'cost_per_1k' | 'priced'>;

function summary(values: number[]): ModelReport['latency_ms'] {
  if (values.length === 0) return null;
  const { p50, p95, p99, mean } = latencyPercentiles(values);
  return { p50, p95, p99, mean };
}

/**
 * Latency percentiles over answered requests (cached answers keep the latency recorded when they were asked),
 * throughput at the configured concurrency by Little's law (concurrency / mean latency), mean tokens per
 * request, and what 1,000 such requests cost at the price table's rates (0, and `priced: false`, without a price).
 */
export function servingFigures(predictions: readonly PredictionRecord[], price: Price | undefined, concurrency: number): ServingFigures {
  const answered = predictions.filter((prediction) => prediction.error === null);
  const latencies = answered.flatMap((prediction) => (prediction.latency_ms === null ? [] : [prediction.latency_ms]));
  const firstTokens = answered.flatMap((prediction) => (prediction.time_to_first_token_ms === null ? [] : [prediction.time_to_first_token_ms]));
  const latency = summary(latencies);
  const mean = (pick: (prediction: PredictionRecord) => number): number => (answered.length === 0 ? 0 : answered.reduce((total, prediction) => total + pick(prediction), 0) / answered.length);
  const tokens = { prompt: mean((prediction) => prediction.prompt_tokens), completion: mean((prediction) => prediction.completion_tokens) };
  return {
    n: predictions.length,
    failed: predictions.length - answered.length,
    cached: answered.filter((prediction) => prediction.cached).length,
    latency_ms: latency,
    time_to_first_token_ms: summary(firstTokens),
    throughput_rps: latency && latency.mean > 0 ? (concurrency * 1000) / latency.mean : null,
    tokens_per_request: tokens,
    cost_per_1k: costOf({ prompt_tokens: tokens.prompt * 1000, completion_tokens: tokens.completion * 1000 }, price),
    priced: price !== undefined,
  };
}

/** The student's p50 speed-up over every other model: their p50 latency / the student's. */
export function speedups(student: string, figures: Record<string, ServingFigures>): Record<string, number> {
  const own = figures[student]?.latency_ms?.p50;
  const result: Record<string, number> = {};
  if (own === undefined || own <= 0) return result;
  for (const [name, model] of Object.entries(figures)) {
    if (name !== student && model.latency_ms) result[name] = model.latency_ms.p50 / own;
  }
  return result;
}
