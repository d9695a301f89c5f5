import { errorMessage } from '../errors.js';
import { AdaptiveConcurrency } from './adaptive-concurrency.js';
import { canonicalRequest } from './cache-key.js';
import { chatRequestBody, createChatCompletion, type ChatParameters, type ChatResult } from './chat.js';
import { streamChatCompletion } from './chat-stream.js';
import { APICallError, InvalidResponseError, RateLimitError } from './errors.js';
import { HttpClient } from './http-client.js';
import { RateLimiter } from './rate-limiter.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, isRetryable, retryAfterOf, sleep, type RetryPolicy } from './retry.js';
import { estimatePromptTokens } from './token-estimate.js';
import type { ParsedLogprobs } from './logprobs.js';

export interface ResponseCacheLike {
  get(key: string): unknown;
  set(key: string, model: string, response: unknown): void;
}

export type ClientEvent =
  | { type: 'request-retried'; attempt: number; delayMs: number; error: string; status: number | undefined }
  | { type: 'concurrency-changed'; limit: number }
  | { type: 'request-failed'; attempts: number; error: string };

export interface ModelClientOptions {
  http: HttpClient;
  concurrency: number;
  rpm?: number;
  tpm?: number;
  retry?: Partial<RetryPolicy>;
  cache?: ResponseCacheLike;
  onEvent?: (event: ClientEvent) => void;
  random?: () => number;
  /** Stream every answer unless a call says otherwise (`teacher.stream`). */
  stream?: boolean;
}

export interface CompletionOutcome {
  result: ChatResult;
  cached: boolean;
  attempts: number;
  /** Token usage of attempts that failed after the server did work (truncated/empty answers). */
  wastedUsage: { prompt_tokens: number; completion_tokens: number };
}

/** The cached fields of a ChatResult (headers and timings of the original call are not replayed). */
interface CachedAnswer {
  content: string;
  reasoningContent: string | null;
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number };
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  logprobs?: ParsedLogprobs | null;
}

/**
 * Every model call of the pipeline goes through here: cache, then concurrency slot, then rate limit, then
 * the call, retried with backoff on retryable errors only. A 429 also tells the adaptive limit to back off.
 */
export class ModelClient {
  readonly http: HttpClient;
  readonly concurrency: AdaptiveConcurrency;
  readonly limiter: RateLimiter;
  private readonly policy: RetryPolicy;
  private readonly cache: ResponseCacheLike | undefined;
  private readonly onEvent: (event: ClientEvent) => void;
  private readonly random: () => number;
  private readonly stream: boolean;

  constructor(options: ModelClientOptions) {
    this.http = options.http;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.concurrency = new AdaptiveConcurrency({ limit: options.concurrency, onChange: (limit) => this.onEvent({ type: 'concurrency-changed', limit }) });
    this.limiter = new RateLimiter({ rpm: options.rpm, tpm: options.tpm });
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.cache = options.cache;
    this.random = options.random ?? Math.random;
    this.stream = options.stream ?? false;
  }

  cacheKey(parameters: ChatParameters): string {
    return canonicalRequest(this.http.baseURL, chatRequestBody(parameters, false, this.http.flavor)).key;
  }

  /** The cached answer for these parameters, if any (no call is made). */
  cached(parameters: ChatParameters, key = this.cacheKey(parameters)): ChatResult | undefined {
    if (this.cache === undefined) return undefined;
    const hit = this.cache.get(key) as CachedAnswer | undefined;
    return hit === undefined ? undefined : { ...hit, headers: {} };
  }

  /** Records an answer obtained another way (a batch job) so the same request is never paid for again. */
  store(parameters: ChatParameters, result: ChatResult, key = this.cacheKey(parameters)): void {
    const answer: CachedAnswer = {
      content: result.content,
      reasoningContent: result.reasoningContent,
      finishReason: result.finishReason,
      usage: result.usage,
      latencyMs: result.latencyMs,
      timeToFirstTokenMs: result.timeToFirstTokenMs,
      ...(result.logprobs ? { logprobs: result.logprobs } : {}),
    };
    this.cache?.set(key, parameters.model, answer);
  }

  async complete(
    parameters: ChatParameters,
    options: {
      signal?: AbortSignal;
      stream?: boolean;
      useCache?: boolean;
      accept?: (result: ChatResult) => string | null;
      /** An empty answer is the model's answer (an evaluated model's prediction), not a failure to retry. */
      allowEmpty?: boolean;
    } = {},
  ): Promise<CompletionOutcome> {
    const useCache = options.useCache ?? true;
    // One serialization gives both the body sent and the cache key.
    const request = canonicalRequest(this.http.baseURL, chatRequestBody(parameters, false, this.http.flavor));
    const key = useCache && this.cache !== undefined ? request.key : undefined;
    if (key !== undefined) {
      const hit = this.cached(parameters, key);
      if (hit !== undefined) return { result: hit, cached: true, attempts: 0, wastedUsage: { prompt_tokens: 0, completion_tokens: 0 } };
    }
    const estimated = estimatePromptTokens(parameters.messages) + (parameters.max_tokens ?? 0);
    const wasted = { prompt_tokens: 0, completion_tokens: 0 };
    for (let attempt = 1; ; attempt++) {
      let result: ChatResult;
      const release = this.concurrency.tryAcquire() ?? (await this.concurrency.acquire());
      const epoch = this.concurrency.epoch;
      try {
        if (this.limiter.tryTake(estimated) !== 0) await this.limiter.take(estimated, options.signal);
        result = (options.stream ?? this.stream)
          ? await streamChatCompletion(this.http, parameters, { signal: options.signal, retry: false })
          : await createChatCompletion(this.http, parameters, { signal: options.signal, retry: false }, request.text);
        this.limiter.observeHeaders(result.headers);
        this.limiter.settle(estimated, result.usage.prompt_tokens + result.usage.completion_tokens);
        // An empty answer (unless the caller takes it), or one the caller rejects, is a failure: retried, never a row.
        const empty = result.content.trim() === '' && !result.reasoningContent && options.allowEmpty !== true;
        const rejection = empty ? 'empty answer' : (options.accept?.(result) ?? null);
        if (rejection !== null) {
          wasted.prompt_tokens += result.usage.prompt_tokens;
          wasted.completion_tokens += result.usage.completion_tokens;
          throw new InvalidResponseError(`${rejection} from ${parameters.model}`, { url: this.http.url('/chat/completions'), isRetryable: true });
        }
      } catch (error) {
        release();
        if (error instanceof APICallError) this.limiter.observeHeaders(error.responseHeaders);
        if (error instanceof RateLimitError) this.concurrency.onRateLimited(epoch);
        if (!isRetryable(error) || attempt >= this.policy.maxAttempts || options.signal?.aborted) {
          this.onEvent({ type: 'request-failed', attempts: attempt, error: errorMessage(error) });
          throw Object.assign(error as Error, { attempts: attempt, wastedUsage: wasted });
        }
        const delayMs = backoffDelay(attempt, this.policy, retryAfterOf(error), this.random);
        this.onEvent({ type: 'request-retried', attempt, delayMs, error: errorMessage(error), status: error instanceof APICallError ? error.status : undefined });
        await sleep(delayMs, options.signal);
        continue;
      }
      release();
      this.concurrency.onSuccess(epoch);
      if (key !== undefined) this.store(parameters, result, key);
      return { result, cached: false, attempts: attempt, wastedUsage: wasted };
    }
  }
}

/** What a failed `complete` carries besides its message. */
export function failureDetails(error: unknown): { attempts: number; wastedUsage: { prompt_tokens: number; completion_tokens: number } } {
  const record = error as { attempts?: number; wastedUsage?: { prompt_tokens: number; completion_tokens: number } };
  return { attempts: record.attempts ?? 1, wastedUsage: record.wastedUsage ?? { prompt_tokens: 0, completion_tokens: 0 } };
}
