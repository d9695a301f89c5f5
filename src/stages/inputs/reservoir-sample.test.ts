import { describe, expect, it } from 'vitest';
import { ReservoirSample } from './reservoir-sample.js';

describe('ReservoirSample', () => {
  it('picks every position of the stream equally often (chi-square over 4,000 seeds)', () => {
    const length = 100;
    const size = 10;
    const trials = 4000;
    const hits = new Array<number>(length).fill(0);
    for (let seed = 0; seed < trials; seed++) {
      const sample = new ReservoirSample<number>(size, seed);
      for (let position = 0; position < length; position++) sample.offer(position);
      for (const position of sample.items()) hits[position]!++;
    }
    const expected = (trials * size) / length;
    const chiSquare = hits.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 99 degrees of freedom: P(χ² > 148.2) = 0.001. A sampler that favours early or late rows lands far above.
    expect(chiSquare).toBeLessThan(148.2);
    const firstHalf = hits.slice(0, 50).reduce((sum, count) => sum + count, 0);
    expect(Math.abs(firstHalf / (trials * size) - 0.5)).toBeLessThan(0.02);
  });

  it('is deterministic for a seed and keeps stream order', () => {
    const draw = (seed: number): number[] => {
      const sample = new ReservoirSample<number>(20, seed);
      for (let position = 0; position < 10_000; position++) sample.offer(position);
      return sample.items();
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(draw(3)).toEqual([...draw(3)].sort((left, right) => left - right));
  });
});
