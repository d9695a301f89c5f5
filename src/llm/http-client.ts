import type { z } from 'zod';
import { APICallError, APIConnectionError, APITimeoutError, errorForStatus, InvalidResponseError, wasNotProcessed } from './errors.js';
import type { ProviderFlavor } from './provider-flavor.js';
import { DEFAULT_RETRY_POLICY, isRetryable, retrying, type RetryNotice, type RetryPolicy } from './retry.js';
import { BodyAlreadyReadError, fetchTransport, TransportTimeoutError, undiciTransport, type Transport, type TransportResponse } from './transport.js';

export interface HttpClientOptions {
  baseURL: string;
  /** The provider behind the URL: shapes chat bodies, uploads and batches (see provider-flavor.ts). */
  flavor?: ProviderFlavor;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** A WHATWG fetch to use instead of the built-in undici connection pool (tests, custom transports). */
  fetch?: typeof globalThis.fetch;
  /** Attempts and backoff of every call that does not opt out (`retry: false`). */
  retry?: Partial<RetryPolicy>;
  /** Told before each wait between attempts (progress, logs). */
  onRetry?: (notice: RetryNotice & { url: string }) => void;
  /** Jitter source, pinned by tests. */
  random?: () => number;
  /**
   * The run's abort signal, for every call that brings none of its own (files, batches, fine-tuning, deploys):
   * without it an abort would wait out each retry's Retry-After and every attempt left.
   */
  signal?: AbortSignal;
}

export interface HttpResponse<T> {
  data: T;
  headers: Record<string, string>;
  status: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** `false`: one attempt, because the caller retries itself (ModelClient, so its limiter sees each attempt). */
  retry?: boolean;
  /**
   * Whether sending the request twice is harmless. Default: yes for GET, HEAD, PUT and DELETE, no for POST.
   * A request that is not idempotent is repeated only after a failure that proves the server did not act on
   * it (`wasNotProcessed`: 408/409/425/429/503, never connected); after a 500, a timeout or a connection lost
   * mid-request it fails, and the caller makes the create safe: a fine-tuning job is found again by its
   * training file (train/hosted/job-submission.ts). The generate stage does not yet look for a batch whose
   * create answer was lost (it sends `metadata` but never lists batches). Uploads and embeddings pass `true`:
   * a repeat costs an orphan file or a second identical answer, never a second job.
   */
  idempotent?: boolean;
}

const JSON_CONTENT: Record<string, string> = Object.freeze({ 'content-type': 'application/json' });
const NO_HEADERS: Record<string, string> = Object.freeze({});

/**
 * The one place that talks HTTP: JSON in, zod-checked JSON out, one typed error per failure, and every
 * provider call retried on retryable errors (408/409/429/5xx, dropped connections, a non-JSON 200) with
 * backoff that honours Retry-After. Chat calls opt out: ModelClient retries them so that each attempt passes
 * its concurrency limit, rate limiter and budget.
 */
export class HttpClient {
  readonly baseURL: string;
  readonly flavor: ProviderFlavor | undefined;
  /** The base URL without its query, and the query (`api-version=…` for Azure) kept for every path. */
  private readonly basePath: string;
  private readonly baseQuery: string;
  private readonly policy: RetryPolicy;
  private readonly onRetry: HttpClientOptions['onRetry'];
  private readonly random: (() => number) | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly apiKey: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly transport: Transport;
  /** The headers of every JSON request, built once (undici copies, never changes, a headers object). */
  private jsonHeaders: Record<string, string> | undefined;

  constructor(options: HttpClientOptions) {
    this.baseURL = options.baseURL.replace(/\/+$/, '');
    this.flavor = options.flavor;
    const base = new URL(options.baseURL);
    this.baseQuery = base.search.slice(1);
    base.search = '';
    base.hash = '';
    this.basePath = base.href.replace(/\/+$/, '');
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.onRetry = options.onRetry;
    this.random = options.random;
    this.signal = options.signal;
    this.apiKey = options.apiKey;
    this.headers = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.transport = options.fetch ? fetchTransport(options.fetch) : undiciTransport;
  }

  /** The URL of `path` (which may carry its own query) under the base URL, the base's query kept. */
  url(path: string): string {
    const [pathname, query = ''] = path.split('?', 2) as [string, string?];
    const search = [query, this.baseQuery].filter((part) => part !== '').join('&');
    return `${this.basePath}${pathname.startsWith('/') ? pathname : `/${pathname}`}${search === '' ? '' : `?${search}`}`;
  }

  async json<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    return this.jsonText(method, path, schema, body === undefined ? undefined : JSON.stringify(body), options);
  }

  /** As `json`, with the body already serialized (the chat hot path serializes once for cache key and body). */
  async jsonText<T>(method: string, path: string, schema: z.ZodType<T>, body: string | undefined, requestOptions: RequestOptions = {}): Promise<HttpResponse<T>> {
    const options = this.withSignal(requestOptions, method);
    const url = this.url(path);
    return this.retrying(method, url, options, async () => {
      const response = await this.exchange(method, url, body, JSON_CONTENT, options);
      const text = await this.readBody(() => response.text(), url, options.signal);
      return { data: this.parse(text, schema, response), headers: response.headers, status: response.status };
    });
  }

  /** A multipart or raw upload; idempotent unless the caller says otherwise (a repeat leaves an orphan file). */
  async upload<T>(path: string, body: Uint8Array, contentType: string, schema: z.ZodType<T>, requestOptions: RequestOptions = {}): Promise<HttpResponse<T>> {
    const options = this.withSignal({ idempotent: true, ...requestOptions }, 'POST');
    const url = this.url(path);
    return this.retrying('POST', url, options, async () => {
      const response = await this.exchange('POST', url, body, { 'content-type': contentType }, options);
      const text = await this.readBody(() => response.text(), url, options.signal);
      return { data: this.parse(text, schema, response), headers: response.headers, status: response.status };
    });
  }

  async text(path: string, requestOptions: RequestOptions = {}): Promise<string> {
    const options = this.withSignal(requestOptions, 'GET');
    const url = this.url(path);
    return this.retrying('GET', url, options, async () => {
      const response = await this.exchange('GET', url, undefined, NO_HEADERS, options);
      return this.readBody(() => response.text(), url, options.signal);
    });
  }

  async bytes(path: string, requestOptions: RequestOptions = {}): Promise<Uint8Array> {
    const options = this.withSignal(requestOptions, 'GET');
    const url = this.url(path);
    return this.retrying('GET', url, options, async () => {
      const response = await this.exchange('GET', url, undefined, NO_HEADERS, options);
      return this.readBody(() => response.bytes(), url, options.signal);
    });
  }

  /**
   * Sends a request and returns the open response (for streaming); non-2xx statuses throw typed errors.
   * Opening is retried like any call; once the body flows, a broken stream is the caller's to retry.
   */
  async send(method: string, path: string, body: string | Uint8Array | undefined, extraHeaders: Record<string, string>, requestOptions: RequestOptions): Promise<TransportResponse> {
    const options = this.withSignal(requestOptions, method);
    const url = this.url(path);
    const response = await this.retrying(method, url, options, () => this.exchange(method, url, body, extraHeaders, options));
    const guard = <T>(read: () => Promise<T>): Promise<T> => this.readBody(read, url, options.signal);
    const transportError = this.transportError.bind(this);
    return {
      status: response.status,
      url: response.url,
      headers: response.headers,
      text: () => guard(() => response.text()),
      bytes: () => guard(() => response.bytes()),
      body: (async function* () {
        try {
          for await (const chunk of response.body) yield chunk;
        } catch (error) {
          throw transportError(error, url, options.signal);
        }
      })(),
    };
  }

  /**
   * The request's signal and the client's (the run's): either aborts it. A create that is not idempotent is
   * not cut by the client's signal once sent (cut, its job or batch could exist with its id lost): the signal
   * ends only the waits between its attempts (see `retrying`). The chat hot path passes the run's own signal,
   * combined with nothing.
   */
  private withSignal(options: RequestOptions, method: string): RequestOptions {
    const own = this.signal;
    if (own === undefined || options.signal === own || !(options.idempotent ?? method !== 'POST')) return options;
    return { ...options, signal: options.signal === undefined ? own : AbortSignal.any([options.signal, own]) };
  }

  private retrying<T>(method: string, url: string, options: RequestOptions, call: () => Promise<T>): Promise<T> {
    if (options.retry === false) return call();
    const idempotent = options.idempotent ?? method !== 'POST';
    return retrying(call, {
      policy: this.policy,
      signal: options.signal ?? this.signal,
      random: this.random,
      shouldRetry: idempotent ? isRetryable : (error) => isRetryable(error) && wasNotProcessed(error),
      onRetry: this.onRetry === undefined ? undefined : (notice) => this.onRetry!({ ...notice, url }),
    });
  }

  /** The request on the wire: a 2xx response with its body unread, or a typed error. */
  private async exchange(method: string, url: string, body: string | Uint8Array | undefined, extraHeaders: Record<string, string>, options: RequestOptions): Promise<TransportResponse> {
    const headers = extraHeaders === JSON_CONTENT ? (this.jsonHeaders ??= this.headersWith(JSON_CONTENT)) : this.headersWith(extraHeaders);
    let response: TransportResponse;
    try {
      // The transport owns the deadline (headers and body) and the caller's abort.
      response = await this.transport({ url, method, headers, body, signal: options.signal, timeoutMs: options.timeoutMs ?? this.timeoutMs });
    } catch (error) {
      throw this.transportError(error, url, options.signal);
    }
    if (response.status < 200 || response.status >= 300) {
      const text = await response.text().catch(() => '');
      throw errorForStatus(response.status, { url, headers: response.headers, body: text });
    }
    return response;
  }

  private headersWith(extraHeaders: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...extraHeaders };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    return headers;
  }

  /** Reads a body; a failure while reading is a timeout, an abort or a dropped connection, typed as such. */
  private async readBody<T>(read: () => Promise<T>, url: string, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw this.transportError(error, url, signal);
    }
  }

  private parse<T>(text: string, schema: z.ZodType<T>, response: TransportResponse): T {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InvalidResponseError(`response from ${response.url} is not JSON: ${text.slice(0, 200)}`, {
        url: response.url, status: response.status, body: text, cause: error, isRetryable: true,
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidResponseError(
        `response from ${response.url} does not have the expected shape: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
        { url: response.url, status: response.status, body: text.slice(0, 2000), isRetryable: false },
      );
    }
    return parsed.data;
  }

  private transportError(error: unknown, url: string, callerSignal: AbortSignal | undefined): Error {
    if (error instanceof APICallError) return error;
    if (error instanceof BodyAlreadyReadError) return error;
    if (callerSignal?.aborted) {
      return new APICallError(`request to ${url} was aborted`, { url, cause: error, isRetryable: false });
    }
    if (error instanceof TransportTimeoutError) {
      return new APITimeoutError(`request to ${url} timed out after ${error.timeoutMs} ms`, { url, cause: error, isRetryable: true });
    }
    return new APIConnectionError(`connection to ${url} failed: ${causeMessage(error)}`, { url, cause: error, isRetryable: true });
  }
}

function causeMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
