import type { z } from 'zod';
import { APICallError, APIConnectionError, APITimeoutError, errorForStatus, InvalidResponseError } from './errors.js';

export interface HttpClientOptions {
  baseURL: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
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
  private readonly fetchImplementation: typeof globalThis.fetch;

  constructor(options: HttpClientOptions) {
    this.baseURL = options.baseURL.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.headers = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.fetchImplementation = options.fetch ?? globalThis.fetch;
  }

  url(path: string): string {
    return `${this.baseURL}${path.startsWith('/') ? path : `/${path}`}`;
  }

  async json<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const response = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, options);
    const text = await this.readText(response, path);
    return { data: this.parse(text, schema, response), headers: headerRecord(response.headers), status: response.status };
  }

  async form<T>(path: string, form: FormData, schema: z.ZodType<T>, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const response = await this.send('POST', path, form, {}, options);
    const text = await this.readText(response, path);
    return { data: this.parse(text, schema, response), headers: headerRecord(response.headers), status: response.status };
  }

  async text(path: string, options: RequestOptions = {}): Promise<string> {
    const response = await this.send('GET', path, undefined, {}, options);
    return this.readText(response, path);
  }

  async bytes(path: string, options: RequestOptions = {}): Promise<Uint8Array> {
    const response = await this.send('GET', path, undefined, {}, options);
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw new APIConnectionError(`connection dropped while reading ${this.url(path)}`, { url: this.url(path), cause: error, isRetryable: true });
    }
  }

  /** Sends a request and returns the open response (for streaming); non-2xx statuses throw typed errors. */
  async send(method: string, path: string, body: string | FormData | undefined, extraHeaders: Record<string, string>, options: RequestOptions): Promise<Response> {
    const url = this.url(path);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...extraHeaders };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await this.fetchImplementation(url, { method, headers, body, signal });
    } catch (error) {
      throw this.transportError(error, url, timeout, options.signal, timeoutMs);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw errorForStatus(response.status, { url, headers: headerRecord(response.headers), body: text });
    }
    return response;
  }

  private async readText(response: Response, path: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw new APIConnectionError(`connection dropped while reading ${this.url(path)}`, { url: this.url(path), cause: error, isRetryable: true });
    }
  }

  private parse<T>(text: string, schema: z.ZodType<T>, response: Response): T {
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

  private transportError(error: unknown, url: string, timeout: AbortSignal, callerSignal: AbortSignal | undefined, timeoutMs: number): APICallError {
    if (callerSignal?.aborted) {
      return new APICallError(`request to ${url} was aborted`, { url, cause: error, isRetryable: false });
    }
    if (timeout.aborted) {
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

export function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, key) => {
    record[key.toLowerCase()] = value;
  });
  return record;
}
