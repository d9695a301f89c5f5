import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { onAbort } from './abort-registry.js';

/** What HttpClient needs from an HTTP response, whichever library produced it. */
export interface TransportResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
  /** The body as it arrives; leaving the loop early aborts the request. */
  body: AsyncIterable<Uint8Array>;
}

export interface TransportRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  /** The caller's (usually long-lived) signal: aborting it aborts the request. */
  signal: AbortSignal | undefined;
  /** Deadline for the whole exchange, body included: a stalled body is a timeout too. */
  timeoutMs: number;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A response body read a second time (the caller's mistake: not a network error, not retryable). */
export class BodyAlreadyReadError extends TypeError {}

/** The request ran past its `timeoutMs` (thrown by every transport, so HttpClient can say "timed out"). */
export class TransportTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/**
 * One keep-alive connection pool per process. Requests go straight to the pool's `dispatch` with the
 * handler below: undici's `request` adds a Readable stream, an AsyncResource and an AbortSignal listener
 * per call, which together cost about a third of the client's CPU at 256 requests in flight
 * (bench/generate-throughput.ts), and `fetch` costs five times more again.
 */
let sharedAgent: Dispatcher | undefined;
function agent(): Dispatcher {
  sharedAgent ??= connectionPool(process.env);
  return sharedAgent;
}

/**
 * With HTTP_PROXY / HTTPS_PROXY set (either case), undici's EnvHttpProxyAgent: it sends through the proxy
 * and honours NO_PROXY. Without them, a plain pool (no per-request proxy lookup on the hot path).
 */
function connectionPool(environment: NodeJS.ProcessEnv): Dispatcher {
  const options = { connections: 2048, keepAliveTimeout: 30_000, pipelining: 1 };
  const proxied = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'].some((name) => (environment[name] ?? '') !== '');
  return proxied ? new EnvHttpProxyAgent(options) : new Agent(options);
}

/** URL → origin and path, parsed once per distinct URL (a run calls a handful of them). */
const targets = new Map<string, { origin: string; path: string }>();
function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (targets.size >= 1000) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/** While a consumer iterates the body, at most this much is queued before the socket is paused. */
const STREAM_HIGH_WATER = 1 << 20;

/**
 * One request/response exchange as an undici dispatch handler: resolves once headers arrive, then buffers
 * the body (or hands it over chunk by chunk when iterated). Owns the timeout and the caller's abort.
 */
class DispatchExchange implements Dispatcher.DispatchHandler, TransportResponse {
  status = 0;
  headers: Record<string, string> = {};
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private readonly chunks: Buffer[] = [];
  private queuedBytes = 0;
  private streaming = false;
  private ended = false;
  private failure: Error | undefined;
  private readonly waiters: (() => void)[] = [];
  private consumed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly unlink: () => void;
  private settleHeaders: { resolve: (response: TransportResponse) => void; reject: (error: Error) => void } | undefined;
  /** Resolves with this exchange once the status and headers are in. */
  readonly response: Promise<TransportResponse>;

  constructor(private readonly request: TransportRequest) {
    this.response = new Promise((resolve, reject) => (this.settleHeaders = { resolve, reject }));
    this.timer = setTimeout(() => this.abort(new TransportTimeoutError(request.timeoutMs)), request.timeoutMs);
    this.unlink = request.signal === undefined ? noop : onAbort(request.signal, () => this.abort(abortReasonOf(request.signal!)));
  }

  abort(reason: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.abortReason ??= reason;
    if (this.controller !== undefined) this.controller.abort(reason);
    // Not on a socket yet (queued in the pool): fail now, abort when undici starts it.
    else this.fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined) controller.abort(this.abortReason);
  }

  get url(): string {
    return this.request.url;
  }

  async text(): Promise<string> {
    return (await this.whole()).toString('utf8');
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.whole());
  }

  get body(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.iterate() };
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // an informational response (103 Early Hints): the real one follows
    this.status = statusCode;
    // undici gives lower-case names; a repeated header is an array, joined as HTTP would fold it.
    let folded = true;
    for (const key in headers) if (typeof headers[key] !== 'string') folded = false;
    if (folded) this.headers = headers as Record<string, string>;
    else for (const key in headers) if (headers[key] !== undefined) this.headers[key] = ([] as string[]).concat(headers[key]!).join(', ');
    const settle = this.settleHeaders;
    this.settleHeaders = undefined;
    settle?.resolve(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    // Only a chunk-by-chunk reader applies backpressure; `text()` and `bytes()` want the whole body anyway.
    if (this.streaming && this.queuedBytes > STREAM_HIGH_WATER) controller.pause();
    this.notify();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.cleanup();
    this.notify();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(this.abortReason ?? error);
  }

  private fail(error: Error): void {
    if (this.failure !== undefined || this.ended) return;
    this.failure = error;
    this.cleanup();
    const settle = this.settleHeaders;
    this.settleHeaders = undefined;
    settle?.reject(error);
    this.notify();
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    this.unlink();
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private waitForMore(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A body is read once, as with fetch and undici's own bodies. */
  private consume(): void {
    if (this.consumed) throw new BodyAlreadyReadError(`the body of ${this.request.url} was already read`);
    this.consumed = true;
  }

  private async whole(): Promise<Buffer> {
    this.consume();
    while (!this.ended) {
      if (this.failure !== undefined) throw this.failure;
      await this.waitForMore();
    }
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }

  private async *iterate(): AsyncGenerator<Uint8Array> {
    this.consume();
    this.streaming = true;
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk !== undefined) {
          this.queuedBytes -= chunk.length;
          if (this.controller?.paused && this.queuedBytes <= STREAM_HIGH_WATER / 2) this.controller.resume();
          yield chunk;
        } else if (this.failure !== undefined) {
          throw this.failure;
        } else if (this.ended) {
          return;
        } else {
          await this.waitForMore();
        }
      }
    } finally {
      this.abort(new Error('response body abandoned by the reader'));
    }
  }
}

function noop(): void {}

function abortReasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

export const undiciTransport: Transport = (request) => {
  if (request.signal?.aborted) return Promise.reject(abortReasonOf(request.signal));
  const { origin, path } = targetOf(request.url);
  const exchange = new DispatchExchange(request);
  // The exchange's deadline is the one timeout: undici's own 300 s header and body timeouts would cut a
  // long answer (the default `timeout_s` is 600) and call it a connection error.
  agent().dispatch({ origin, path, method: request.method as Dispatcher.HttpMethod, headers: request.headers, body: request.body, headersTimeout: 0, bodyTimeout: 0 }, exchange);
  return exchange.response;
};

/** Adapts a WHATWG `fetch` (injected by tests or by users who need a proxy-aware fetch). */
export function fetchTransport(fetchImplementation: typeof globalThis.fetch): Transport {
  return async (request) => {
    const controller = new AbortController();
    let timedOut: TransportTimeoutError | undefined;
    const timer = setTimeout(() => controller.abort((timedOut = new TransportTimeoutError(request.timeoutMs))), request.timeoutMs);
    const unlink = request.signal === undefined ? noop : onAbort(request.signal, () => controller.abort(abortReasonOf(request.signal!)));
    const done = (): void => {
      clearTimeout(timer);
      unlink();
    };
    // A timeout surfaces as fetch's own AbortError; say which deadline it was.
    const guard = async <T>(read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        throw timedOut ?? error;
      } finally {
        done();
      }
    };
    let response: Response;
    try {
      response = await fetchImplementation(request.url, { method: request.method, headers: request.headers, body: request.body, signal: controller.signal });
    } catch (error) {
      done();
      throw timedOut ?? error;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
    return {
      status: response.status,
      url: response.url || request.url,
      headers,
      text: () => guard(() => response.text()),
      bytes: () => guard(async () => new Uint8Array(await response.arrayBuffer())),
      body: (async function* () {
        try {
          for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) yield chunk;
        } catch (error) {
          throw timedOut ?? error;
        } finally {
          done();
          // A no-op once the body is read to its end; frees the connection when the reader left early.
          controller.abort(new Error('response body abandoned by the reader'));
        }
      })(),
    };
  };
}
