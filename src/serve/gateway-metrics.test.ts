import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../../test/helpers/exposition-parser.js';
import { GatewayMetrics } from './gateway-metrics.js';

describe('GatewayMetrics (prom-client)', () => {
  it('exposes the gateway metric names with escaped labels and cumulative buckets, per gateway', async () => {
    const metrics = new GatewayMetrics();
    const other = new GatewayMetrics();
    metrics.recordRequest({ model: 'say "hi"\n', servedBy: 'student', outcome: 'ok', seconds: 0.004, promptTokens: 3, completionTokens: 5, fallbackReason: null });
    metrics.recordRequest({ model: 'teacher', servedBy: 'fallback', outcome: 'ok', seconds: 0.3, promptTokens: 0, completionTokens: 0, fallbackReason: 'timeout' });
    metrics.inFlight.inc();
    metrics.rejected.inc({ status: '401' });
    const text = await metrics.render();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE distillery_serve_request_duration_seconds histogram');
    const samples = parseExposition(text);
    expect(sampleValue(samples, 'distillery_serve_requests_total', { model: 'say "hi"\n', served_by: 'student', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_request_duration_seconds_bucket', { served_by: 'student', le: '0.005' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_request_duration_seconds_bucket', { served_by: 'fallback', le: '0.25' })).toBe(0);
    expect(sampleValue(samples, 'distillery_serve_request_duration_seconds_bucket', { served_by: 'fallback', le: '+Inf' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_fallbacks_total', { reason: 'timeout' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_fallbacks_total', { reason: 'error' })).toBe(0);
    expect(samples.some((sample) => sample.name === 'distillery_serve_fallbacks_total' && sample.labels.reason === 'verifier_failed')).toBe(true);
    expect(sampleValue(samples, 'distillery_serve_prompt_tokens_total')).toBe(3);
    expect(sampleValue(samples, 'distillery_serve_rejected_total', { status: '401' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_requests_in_flight')).toBe(1);
    expect(sampleValue(parseExposition(await other.render()), 'distillery_serve_requests_total')).toBe(0);
  });
});
