import { describe, expect, it } from 'vitest';
import { parseResetDuration, rateLimitHeaders, RateLimiter } from './rate-limiter.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('RateLimiter', () => {
  it('spaces requests to the configured RPM after the first second of credit', () => {
    const time = clock();
    const limiter = new RateLimiter({ rpm: 60, now: time.now });
    expect(limiter.tryTake(0)).toBe(0);
    const wait = limiter.tryTake(0);
    expect(wait).toBeGreaterThan(900);
    expect(wait).toBeLessThanOrEqual(1000);
    time.advance(wait);
    expect(limiter.tryTake(0)).toBe(0);
  });

  it('holds a request until the token bucket has room, and settles with real usage', () => {
    const time = clock();
    const limiter = new RateLimiter({ tpm: 6000, now: time.now });
    expect(limiter.tryTake(100)).toBe(0); // 100 credit at start (one second's worth)
    expect(limiter.tryTake(100)).toBeGreaterThan(0);
    time.advance(1000); // +100 tokens
    limiter.settle(100, 300); // the first request really used 300: 200 more owed
    expect(limiter.tryTake(100)).toBeGreaterThan(0);
    time.advance(3000);
    expect(limiter.tryTake(100)).toBe(0);
  });

  it('learns limits from x-ratelimit headers and pauses when nothing remains', () => {
    const time = clock();
    const limiter = new RateLimiter({ now: time.now });
    expect(limiter.tryTake(10)).toBe(0);
    limiter.observeHeaders({ 'x-ratelimit-limit-requests': '120', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1.5s', 'x-ratelimit-limit-tokens': '1000' });
    expect(limiter.limits).toEqual({ rpm: 120, tpm: 1000 });
    expect(limiter.tryTake(10)).toBe(1500);
  });

  it('does not override limits the config set', () => {
    const limiter = new RateLimiter({ rpm: 10 });
    limiter.observeHeaders({ 'x-ratelimit-limit-requests': '5000' });
    expect(limiter.limits.rpm).toBe(10);
  });
});

describe('parseResetDuration', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['20ms', 20],
    ['1h2m3s', 3_723_000],
    ['2.5', 2500],
  ])('%s → %d ms', (text, expected) => expect(parseResetDuration(text)).toBe(expected));
});

describe('rate-limit headers of other providers', () => {
  it("learns Together's x-ratelimit-* / x-tokenlimit-* headers (per second) and pauses on remaining 0", () => {
    let time = 0;
    const limiter = new RateLimiter({ now: () => time });
    limiter.observeHeaders({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '9', 'x-ratelimit-reset': '1', 'x-tokenlimit-limit': '3000', 'x-tokenlimit-remaining': '2900' });
    expect(limiter.limits).toEqual({ rpm: 600, tpm: 180_000 });
    const paused = new RateLimiter({ now: () => time });
    paused.observeHeaders({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' });
    expect(paused.tryTake(1)).toBe(2000);
    expect(rateLimitHeaders({ 'x-tokenlimit-limit': '50', 'x-tokenlimit-remaining': '0', 'x-ratelimit-reset': '3' })).toEqual({ tpm: 3000, tokensResetMs: 3000 });
  });
});
