import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency } from './adaptive-concurrency.js';

describe('AdaptiveConcurrency', () => {
  it('never lets more than the limit in at once', async () => {
    const limiter = new AdaptiveConcurrency({ limit: 3 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await limiter.acquire();
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active--;
        release();
      }),
    );
    expect(peak).toBe(3);
  });

  it('halves on a burst of 429s, counts a burst once, and grows back slowly below the failed limit', () => {
    let time = 0;
    const limiter = new AdaptiveConcurrency({ limit: 16, burstWindowMs: 1000, now: () => time });
    limiter.onRateLimited();
    limiter.onRateLimited(); // same burst: requests already in flight
    expect(limiter.limit).toBe(8);
    for (let index = 0; index < 7; index++) limiter.onSuccess();
    expect(limiter.limit).toBe(8); // a full window of successes is needed
    limiter.onSuccess();
    expect(limiter.limit).toBe(9);
    for (let index = 0; index < 1000; index++) limiter.onSuccess();
    expect(limiter.limit).toBe(15); // never back to the 16 that failed
    time += 5000;
    limiter.onRateLimited();
    expect(limiter.limit).toBe(7);
  });

  it('never goes below one', () => {
    let time = 0;
    const limiter = new AdaptiveConcurrency({ limit: 1, burstWindowMs: 0, now: () => (time += 10) });
    limiter.onRateLimited();
    limiter.onRateLimited();
    expect(limiter.limit).toBe(1);
  });
});
