import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryable } from './retry.js';
import { APIConnectionError, BadRequestError, errorForStatus, RateLimitError } from './errors.js';

describe('backoffDelay', () => {
  it('grows exponentially under full jitter and is capped', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, undefined, () => 0.5)).toBe(200);
  });

  it('never retries sooner than Retry-After', () => {
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, 7000, () => 0)).toBe(7000);
  });

  it('caps Retry-After at maxDelayMs (a server asking for an hour does not stall the run)', () => {
    expect(backoffDelay(1, { ...DEFAULT_RETRY_POLICY, maxDelayMs: 60_000 }, 3_600_000, () => 0)).toBe(60_000);
  });
});

describe('errors', () => {
  const details = { url: 'http://x/v1/chat/completions', headers: { 'retry-after': '3' }, body: '{"error":{"message":"slow down"}}' };
  it('chooses the class by status and reads Retry-After', () => {
    const error = errorForStatus(429, details);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(3000);
    expect(error.message).toContain('slow down');
    expect(isRetryable(error)).toBe(true);
  });

  it('retries 5xx, 408, 409 and dropped connections, not 400', () => {
    expect(isRetryable(errorForStatus(503, details))).toBe(true);
    expect(isRetryable(errorForStatus(408, details))).toBe(true);
    expect(isRetryable(errorForStatus(409, details))).toBe(true);
    expect(isRetryable(new APIConnectionError('dropped', { url: 'x' }))).toBe(true);
    const badRequest = errorForStatus(400, details);
    expect(badRequest).toBeInstanceOf(BadRequestError);
    expect(isRetryable(badRequest)).toBe(false);
  });

  it('reads retry-after-ms before retry-after', () => {
    expect(errorForStatus(429, { ...details, headers: { 'retry-after-ms': '250', 'retry-after': '9' } }).retryAfterMs).toBe(250);
  });
});
