import type { z } from 'zod';
import { APICallError, APIConnectionError, APITimeoutError, errorForStatus, InvalidResponseError } from './errors.js';
import { fetchTransport, undiciTransport, type Transport, type TransportResponse } from './transport.js';

export interface HttpClientOptions {
  baseURL: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** A WHATWG fetch to use instead of the built-in undici connection pool (proxies, tests). */
  fetch?: typeof globalThis.fetch;
}

export interface HttpResponse<T> {
  data: T;
  headers: Record<string, string>;
  status: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * The one place that talks HTTP: JSON in, zod-checked JSON out, one typed error per failure. No retries
 * here (see retry.ts), so each attempt is visible to the caller's limiter and budget.
 */
export class HttpClient {
  readonly baseURL: string;
  private readonly apiKey: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly transport: Transport;

  constructor(options: HttpClientOptions) {
    this.baseURL = options.baseURL.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.headers = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.transport = options.fetch ? fetchTransport(options.fetch) : undiciTransport;
  }

  url(path: string): string {
    return `${this.baseURL}${path.startsWith('/') ? path : `/${path}`}`;
  }

  async json<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, options);
    const text = await this.readText(response, path);
    return { data: this.parse(text, schema, response), headers: response.headers, status: response.status };
  }

  async upload<T>(path: string, body: Uint8Array, contentType: string, schema: z.ZodType<T>, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const response = await this.send('POST', path, body, { 'content-type': contentType }, options);
    const text = await this.readText(response, path);
    return { data: this.parse(text, schema, response), headers: response.headers, status: response.status };
  }

  async text(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.send('GET', path, undefined, {}, options);
    return this.readText(response, path);
  }

  async bytes(path: string, options: RequestOptions = {}): Promise<Uint8Array> {
    const response = await this.send('GET', path, undefined, {}, options);
    return response.bytes();
  }

  /** Sends a request and returns the open response (for streaming); non-2xx statuses throw typed errors. */
  async send(method: string, path: string, body: string | Uint8Array | undefined, extraHeaders: Record<string, string>, options: RequestOptions): Promise<TransportResponse> {
    const url = this.url(path);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...extraHeaders };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    // One controller per request, unlinked from the caller's long-lived signal when done: AbortSignal.any
    // would leave a listener on the run's signal per request (a leak over 100,000 requests).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const finish = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    };
    let response: TransportResponse;
    try {
      response = await this.transport({ url, method, headers, body, signal: controller.signal });
    } catch (error) {
      finish();
      throw this.transportError(error, url, timedOut, options.signal, timeoutMs);
    }
    if (response.status < 200 || response.status >= 300) {
      const text = await response.text().catch(() => '');
      finish();
      throw errorForStatus(response.status, { url, headers: response.headers, body: text });
    }
    // The timer keeps running while the body is read: a stalled body is a timeout too.
    const guard = async <T>(read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        throw this.transportError(error, url, timedOut, options.signal, timeoutMs);
      } finally {
        finish();
      }
    };
    const transportError = this.transportError.bind(this);
    return {
      ...response,
      text: () => guard(() => response.text()),
      bytes: () => guard(() => response.bytes()),
      body: (async function* () {
        try {
          for await (const chunk of response.body) yield chunk;
        } catch (error) {
          throw transportError(error, url, timedOut, options.signal, timeoutMs);
        } finally {
          finish();
        }
      })(),
    };
  }

  private async readText(response: TransportResponse, path: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      if (error instanceof APICallError) throw error;
      throw new APIConnectionError(`connection dropped while reading ${this.url(path)}`, { url: this.url(path), cause: error, isRetryable: true });
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

  private transportError(error: unknown, url: string, timedOut: boolean, callerSignal: AbortSignal | undefined, timeoutMs: number): APICallError {
    if (error instanceof APICallError) return error;
    if (callerSignal?.aborted) {
      return new APICallError(`request to ${url} was aborted`, { url, cause: error, isRetryable: false });
    }
    if (timedOut) {
      return new APITimeoutError(`request to ${url} timed out after ${timeoutMs} ms`, { url, cause: error, isRetryable: true });
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
