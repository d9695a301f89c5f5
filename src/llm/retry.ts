import { DistilleryError } from '../errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  /** The longest wait between attempts, a server's Retry-After included (a day-long Retry-After is not obeyed). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * Exponential backoff with full jitter, never sooner than the server's Retry-After, never longer than
 * `maxDelayMs`. `random` is injectable so tests can pin the jitter.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = random() * ceiling;
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

export function isRetryable(error: unknown): boolean {
  return error instanceof DistilleryError && error.isRetryable;
}

export function retryAfterOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'retryAfterMs' in error && typeof error.retryAfterMs === 'number'
    ? error.retryAfterMs
    : undefined;
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  error: unknown;
}

/**
 * Runs `call` until it succeeds, fails with an error `shouldRetry` refuses, or the attempts run out; the
 * last error is thrown with `attempts` set on it. An abort of `signal` ends the wait at once.
 */
export async function retrying<T>(
  call: (attempt: number) => Promise<T>,
  options: { policy: RetryPolicy; shouldRetry?: (error: unknown) => boolean; signal?: AbortSignal; random?: () => number; onRetry?: (notice: RetryNotice) => void },
): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= options.policy.maxAttempts || options.signal?.aborted || !shouldRetry(error)) {
        if (error instanceof Error) Object.assign(error, { attempts: attempt });
        throw error;
      }
      const delayMs = backoffDelay(attempt, options.policy, retryAfterOf(error), options.random);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

export function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
