import { DistilleryError } from '../errors.js';

/**
 * A failed call to an OpenAI-compatible API. Carries what a caller needs to decide and to report, never the
 * API key (it lives only in the request headers, which are not kept).
 */
export class APICallError extends DistilleryError {
  readonly url: string;
  readonly status: number | undefined;
  readonly responseHeaders: Record<string, string>;
  readonly responseBody: string | undefined;
  /** The server's Retry-After / retry-after-ms, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    details: { url: string; status?: number; headers?: Record<string, string>; body?: string; cause?: unknown; isRetryable?: boolean },
  ) {
    super(message, { cause: details.cause, isRetryable: details.isRetryable ?? isRetryableStatus(details.status) });
    this.url = details.url;
    this.status = details.status;
    this.responseHeaders = details.headers ?? {};
    this.responseBody = details.body;
    this.retryAfterMs = parseRetryAfter(this.responseHeaders);
  }
}

export class BadRequestError extends APICallError {}
export class AuthenticationError extends APICallError {}
export class PermissionDeniedError extends APICallError {}
export class NotFoundError extends APICallError {}
export class RateLimitError extends APICallError {}
export class ServerError extends APICallError {}
type TransportDetails = ConstructorParameters<typeof APICallError>[1];

/** The connection dropped or could not be made: retryable unless the caller aborted it. */
export class APIConnectionError extends APICallError {
  constructor(message: string, details: TransportDetails) {
    super(message, { ...details, isRetryable: details.isRetryable ?? true });
  }
}

export class APITimeoutError extends APICallError {
  constructor(message: string, details: TransportDetails) {
    super(message, { ...details, isRetryable: details.isRetryable ?? true });
  }
}
/** A 200 whose body does not have the shape the protocol promises (or an empty answer). */
export class InvalidResponseError extends APICallError {}
/** The API key's environment variable is not set. */
export class MissingApiKeyError extends DistilleryError {}

export function isRetryableStatus(status: number | undefined): boolean {
  return status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500);
}

/** Connection failures that happen before a byte of the request reaches the server. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether the failure proves the server did not act on the request: it refused it (408, 409, 425, 429, 503)
 * or was never reached. A 500, a timeout or a connection lost after sending may have created the thing
 * asked for, so a create that is not idempotent is repeated only after a failure this says yes to.
 */
export function wasNotProcessed(error: unknown): boolean {
  if (!(error instanceof APICallError)) return false;
  if (error.status !== undefined) return [408, 409, 425, 429, 503].includes(error.status);
  if (!(error instanceof APIConnectionError)) return false;
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_CONNECTED.has(code)) return true;
  }
  return false;
}

/** One error class per HTTP status, chosen here so callers can `instanceof` instead of reading numbers. */
export function errorForStatus(
  status: number,
  details: { url: string; headers: Record<string, string>; body: string },
): APICallError {
  const message = `HTTP ${status} from ${details.url}: ${summarizeBody(details.body)}`;
  const full = { ...details, status };
  if (status === 400 || status === 422) return new BadRequestError(message, full);
  if (status === 401) return new AuthenticationError(message, full);
  if (status === 403) return new PermissionDeniedError(message, full);
  if (status === 404) return new NotFoundError(message, full);
  if (status === 429) return new RateLimitError(message, full);
  if (status >= 500) return new ServerError(message, full);
  return new APICallError(message, full);
}

function summarizeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.length > 300 ? `${body.slice(0, 300)}…` : body || '(empty body)';
}

function parseRetryAfter(headers: Record<string, string>): number | undefined {
  const milliseconds = headers['retry-after-ms'];
  if (milliseconds !== undefined && Number.isFinite(Number(milliseconds))) return Number(milliseconds);
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
