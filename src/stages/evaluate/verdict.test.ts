import { describe, expect, it } from 'vitest';
import { verdictConfigSchema } from './evaluate-config.js';
import { decideVerdict } from './verdict.js';

const rule = verdictConfigSchema.parse({});

describe('decideVerdict', () => {
  it.each([
    [0.6, 0.55, 2, 'viable'], //      drop exactly 5 points, speed-up exactly 2×: both boundaries inclusive
    [0.6, 0.5499, 3, 'marginal'], // drop 5.01
    [0.6, 0.5, 3, 'marginal'], //    drop exactly 10
    [0.6, 0.4999, 3, 'not ready'], // drop 10.01
    [0.6, 0.6, 1.99, 'marginal'], // no drop but too slow
    [0.6, 0.7, undefined, 'marginal'], // speed-up unknown
    [0.5, 0.3, 10, 'not ready'],
  ])('teacher %s, student %s, speed-up %s → %s', (teacher, student, speedup, label) => {
    expect(decideVerdict({ metric: 'gleu', teacher, student, speedup }, rule).label).toBe(label);
  });

  it('gives the numbers behind the label', () => {
    expect(decideVerdict({ metric: 'gleu', teacher: 0.6, student: 0.57, speedup: 3.5 }, rule).reason).toBe('gleu 57.0 vs teacher 60.0 (drop 3.0 points) ≤ 5 and speed-up 3.50× (p50 latency) ≥ 2×');
    expect(decideVerdict({ metric: 'gleu', teacher: 0.6, student: 0.6, speedup: 1.5 }, rule).reason).toBe('gleu 60.0 vs teacher 60.0 (drop 0.0 points) ≤ 5, but speed-up 1.50× (p50 latency), below 2×');
    expect(decideVerdict({ metric: 'gleu', teacher: 0.6, student: 0.52, speedup: 3 }, rule).reason).toBe('gleu 52.0 vs teacher 60.0 (drop 8.0 points) > 5 but ≤ 10; speed-up 3.00× (p50 latency)');
    expect(decideVerdict({ metric: 'gleu', teacher: 0.6, student: 0.4, speedup: 3 }, rule).reason).toBe('gleu 40.0 vs teacher 60.0 (drop 20.0 points) > 10; speed-up 3.00× (p50 latency)');
  });
});
