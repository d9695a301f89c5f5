import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule } from './faults.js';

/** One request as handlers see it. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly rawBody: Buffer;
  readonly requestId: string;
  /** The fault chosen for this request, for the faults a handler must carry out itself (content, mid-response drop). */
  fault: FaultRule | undefined;
  /** Headers added to every response of this request (rate-limit headers). */
  readonly extraHeaders: Record<string, string>;
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. Thrown by handlers, answered by the server. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function notFound(what: string, id: string): HttpError {
  return new HttpError(404, `No ${what} found with id '${id}'.`, 'invalid_request_error', null, null);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The JSON body as an object, or a 400 like OpenAI's when it is not one. */
export function jsonObjectBody(ctx: RequestContext): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(ctx.rawBody.toString('utf8'));
  } catch {
    throw new HttpError(
      400,
      'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function isResponseGone(ctx: RequestContext): boolean {
  return ctx.res.destroyed || ctx.res.writableEnded;
}

/**
 * Send a JSON response. When the request's fault is `drop-mid-response`, the status line, headers and half
 * of the body go out and then the socket is destroyed, as a connection reset mid-transfer looks to a client.
 */
export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendBytes(ctx, status, Buffer.from(JSON.stringify(body)), 'application/json', headers);
}

export function sendBytes(
  ctx: RequestContext,
  status: number,
  bytes: Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (isResponseGone(ctx)) return;
  ctx.res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(bytes.length),
    'x-request-id': ctx.requestId,
    ...ctx.extraHeaders,
    ...headers,
  });
  if (ctx.fault?.kind === 'drop-mid-response') {
    ctx.res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => ctx.res.destroy());
    return;
  }
  ctx.res.end(bytes);
}

export function sendError(ctx: RequestContext, error: HttpError): void {
  sendJson(ctx, error.status, error.body(), error.headers);
}

/** A cursor page in OpenAI's list shape: `after` is the id of the last item already seen. */
export function cursorPage<T extends { id: string }>(
  items: readonly T[],
  query: URLSearchParams,
  defaultLimit: number,
): { object: 'list'; data: T[]; has_more: boolean; first_id: string | null; last_id: string | null } {
  const limit = Math.max(1, Number(query.get('limit') ?? defaultLimit) || defaultLimit);
  const after = query.get('after');
  const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1;
  const data = items.slice(start, start + limit);
  return {
    object: 'list',
    data,
    has_more: start + limit < items.length,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new HttpError(400, `Missing required parameter: '${field}'.`, 'invalid_request_error', 'missing_required_parameter', field);
  }
  return value;
}
