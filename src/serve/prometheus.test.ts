import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from './exposition-parser.js';
import { Counter, Gauge, Histogram, renderMetrics } from './prometheus.js';

describe('Prometheus exposition', () => {
  it('renders counters, gauges and cumulative histogram buckets that parse back', () => {
    const requests = new Counter('requests_total', 'Requests.');
    requests.increment({ outcome: 'ok' });
    requests.increment({ outcome: 'ok' }, 2);
    requests.increment({ outcome: 'say "hi"\n' });
    const inFlight = new Gauge('in_flight', 'Now.');
    inFlight.add(3);
    inFlight.add(-1);
    const latency = new Histogram('latency_seconds', 'Time.', [0.1, 1]);
    latency.observe(0.05);
    latency.observe(0.5);
    latency.observe(5);
    const text = renderMetrics([requests, inFlight, latency]);
    expect(text).toContain('# TYPE requests_total counter\n');
    expect(text).toContain('# TYPE latency_seconds histogram\n');
    const samples = parseExposition(text);
    expect(sampleValue(samples, 'requests_total', { outcome: 'ok' })).toBe(3);
    expect(sampleValue(samples, 'requests_total', { outcome: 'say "hi"\n' })).toBe(1);
    expect(sampleValue(samples, 'in_flight')).toBe(2);
    expect(sampleValue(samples, 'latency_seconds_bucket', { le: '0.1' })).toBe(1);
    expect(sampleValue(samples, 'latency_seconds_bucket', { le: '1' })).toBe(2);
    expect(sampleValue(samples, 'latency_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(sampleValue(samples, 'latency_seconds_count')).toBe(3);
    expect(sampleValue(samples, 'latency_seconds_sum')).toBeCloseTo(5.55);
  });

  it('refuses to decrease a counter', () => {
    expect(() => new Counter('c', 'C.').increment({}, -1)).toThrow(RangeError);
  });
});
