import { describe, expect, it } from 'vitest';
import { servingFigures, speedups } from './latency-cost.js';
import type { PredictionRecord } from './prediction-record.js';

const row = (latency: number | null, cached = false, error: string | null = null): PredictionRecord => ({
  id: 'x', model: 'm', model_id: 'm', output: error ? '' : 'out', reasoning: null, finish_reason: 'stop',
  latency_ms: latency, time_to_first_token_ms: latency === null ? null : latency / 4, prompt_tokens: 100, completion_tokens: 20, cached, error,
});

describe('servingFigures', () => {
  it('percentiles over answered requests, throughput by Little\'s law, cost per 1,000 requests', () => {
    const figures = servingFigures([row(100), row(200), row(300, true), row(400), row(null, false, 'HTTP 500')], { input: 2, output: 10 }, 8);
    expect(figures).toMatchObject({ n: 5, failed: 1, cached: 1, priced: true, tokens_per_request: { prompt: 100, completion: 20 } });
    // Linear interpolation (numpy's default) between 300 and 400 at ranks 2.85 and 2.97.
    const latency = figures.latency_ms!;
    expect([latency.p50, latency.p95, latency.p99, latency.mean].map((value) => Math.round(value * 1e9) / 1e9)).toEqual([250, 385, 397, 250]);
    expect(figures.time_to_first_token_ms?.p50).toBe(62.5);
    expect(figures.throughput_rps).toBe(32); // 8 in flight, 0.25 s each
    expect(figures.cost_per_1k).toBeCloseTo((100_000 * 2 + 20_000 * 10) / 1e6, 12);
  });

  it('no price: cost 0 and priced false; speed-ups are the others\' p50 over the student\'s', () => {
    const student = servingFigures([row(50)], undefined, 1);
    const teacher = servingFigures([row(200)], undefined, 1);
    expect(student).toMatchObject({ cost_per_1k: 0, priced: false });
    expect(speedups('student', { student, teacher })).toEqual({ teacher: 4 });
  });
});
