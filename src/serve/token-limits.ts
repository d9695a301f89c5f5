import type { MiddlewareHandler } from 'hono';
import { GatewayError } from './gateway-error.js';

/** Set by the bearer check: which of the gateway's tokens the request carried. */
export interface GatewayEnv {
  Variables: { token: string };
}

/** 429 in OpenAI's shape, with the seconds to wait in `Retry-After`. */
export class RateLimitedError extends GatewayError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message, 'requests', 'rate_limit_exceeded');
  }

  override headers(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

export interface TokenLimitSettings {
  /** Requests of one token in flight at once (a stream counts until its last byte). */
  concurrency?: number;
  /** Requests of one token in any 60 s window. */
  rpm?: number;
  now?: () => number;
}

const WINDOW_MS = 60_000;

/**
 * Per-token caps on chat requests, so one token holder cannot run up unbounded fallback spend: over the
 * concurrency cap, or past `rpm` requests in the last 60 s (a sliding window: never more than `rpm` in any
 * minute), the request is refused with 429 before any model is called.
 */
export function tokenLimits(settings: TokenLimitSettings): MiddlewareHandler<GatewayEnv> {
  const now = settings.now ?? Date.now;
  const inFlight = new Map<string, number>();
  const started = new Map<string, number[]>();
  return async (context, next) => {
    const token = context.get('token');
    const active = inFlight.get(token) ?? 0;
    if (settings.concurrency !== undefined && active >= settings.concurrency) {
      throw new RateLimitedError(`Too many requests in flight for this token (limit ${settings.concurrency}).`, 1);
    }
    if (settings.rpm !== undefined) {
      const at = now();
      const times = started.get(token) ?? [];
      while (times.length > 0 && times[0]! <= at - WINDOW_MS) times.shift();
      if (times.length >= settings.rpm) {
        throw new RateLimitedError(`Rate limit reached for this token: ${settings.rpm} requests per minute.`, Math.max(1, Math.ceil((times[0]! + WINDOW_MS - at) / 1000)));
      }
      times.push(at);
      started.set(token, times);
    }
    inFlight.set(token, active + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = (inFlight.get(token) ?? 1) - 1;
      if (left === 0) inFlight.delete(token);
      else inFlight.set(token, left);
    };
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    // An answer is complete when the handler returns; a stream is still being written, so it counts until its end.
    const body = context.res.body;
    if (body === null || !context.res.headers.get('content-type')?.startsWith('text/event-stream')) release();
    else context.res = new Response(untilDone(body, release), context.res);
  };
}

/** The same bytes, calling `done` once when the body ends, fails or the client goes away. */
function untilDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done: finished } = await reader.read();
        if (finished) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason);
    },
  });
}
