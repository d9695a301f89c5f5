import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/fake-provider/seeded-random.js';
import { AdaptiveConcurrency } from './adaptive-concurrency.js';

/**
 * A provider that answers 429 at once to every request above `cap` in flight and takes `duration` ticks
 * for the others; the client keeps every slot busy and retries a 429 on the next tick (as a backoff would).
 */
function simulateCappedProvider(limiter: AdaptiveConcurrency, cap: number, ticks: number, duration = 3): number[] {
  const running: { endsAt: number; epoch: number; release: () => void }[] = [];
  const limits: number[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    for (let index = running.length - 1; index >= 0; index--) {
      const request = running[index]!;
      if (request.endsAt > tick) continue;
      running.splice(index, 1);
      request.release();
      limiter.onSuccess(request.epoch);
    }
    for (let rejected = 0; rejected < 8; ) {
      const release = limiter.tryAcquire();
      if (release === undefined) break;
      const epoch = limiter.epoch;
      if (running.length < cap) {
        running.push({ endsAt: tick + duration, epoch, release });
      } else {
        release();
        limiter.onRateLimited(epoch);
        rejected++;
      }
    }
    limits.push(limiter.limit);
  }
  return limits;
}

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

  it('ignores stray 429s: 2% at random never cuts a limit of 64', () => {
    const random = seededRandom(7);
    const limiter = new AdaptiveConcurrency({ limit: 64 });
    let lowest = limiter.limit;
    for (let index = 0; index < 20_000; index++) {
      if (random() < 0.02) limiter.onRateLimited();
      else limiter.onSuccess();
      lowest = Math.min(lowest, limiter.limit);
    }
    expect(lowest).toBe(64);
  });

  it('halves on a burst, counts a burst once, and climbs back to the configured limit after sustained success', () => {
    const limiter = new AdaptiveConcurrency({ limit: 16, probeAfterWindows: 2 });
    const before = limiter.epoch;
    limiter.onRateLimited();
    limiter.onRateLimited();
    expect(limiter.limit).toBe(16); // two 429s are not yet a burst
    limiter.onRateLimited();
    expect(limiter.limit).toBe(8);
    // Requests sent before the cut answer 429 too: they say nothing about the new limit.
    for (let index = 0; index < 10; index++) limiter.onRateLimited(before);
    expect(limiter.limit).toBe(8);
    for (let index = 0; index < 7; index++) limiter.onSuccess();
    expect(limiter.limit).toBe(8); // a full window of successes is needed
    limiter.onSuccess();
    expect(limiter.limit).toBe(9);
    let successes = 8;
    while (limiter.limit < 16 && successes < 10_000) {
      limiter.onSuccess();
      successes++;
    }
    // Up to 15 (the ceiling below the 16 that failed) one per window, then the ceiling itself decays back.
    expect(limiter.limit).toBe(16);
    expect(successes).toBeLessThan(250);
  });

  it('a failed probe goes back to the last limit that carried a full window, not to half', () => {
    const limiter = new AdaptiveConcurrency({ limit: 32 });
    for (let index = 0; index < 3; index++) limiter.onRateLimited();
    expect(limiter.limit).toBe(16);
    while (limiter.limit < 20) limiter.onSuccess();
    let rateLimited = 0;
    while (limiter.limit === 20) {
      limiter.onRateLimited();
      rateLimited++;
    }
    expect(limiter.limit).toBe(19);
    expect(rateLimited).toBeGreaterThan(3); // a share of recent outcomes (10%), not three stray ones
  });

  it('settles just under a provider that caps concurrency, probing now and then', () => {
    const limiter = new AdaptiveConcurrency({ limit: 64 });
    const limits = simulateCappedProvider(limiter, 20, 20_000);
    const settled = limits.slice(10_000);
    const mean = settled.reduce((sum, limit) => sum + limit, 0) / settled.length;
    expect(Math.max(...settled)).toBeLessThanOrEqual(21);
    expect(Math.min(...settled)).toBeGreaterThanOrEqual(19);
    expect(mean).toBeGreaterThan(19.5);
    expect(mean).toBeLessThanOrEqual(20.1);
  });

  it('never goes below one', () => {
    const limiter = new AdaptiveConcurrency({ limit: 1 });
    for (let index = 0; index < 10; index++) limiter.onRateLimited();
    expect(limiter.limit).toBe(1);
  });
});
