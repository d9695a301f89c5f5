import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { GatewayError } from './gateway-error.js';

/** A fresh token for one gateway run (printed once at start). */
export function generateToken(): string {
  return `dsk-${randomBytes(24).toString('base64url')}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Requires `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison is constant-time
 * and its length does not depend on what the client sent.
 */
export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (context, next) => {
    const header = context.req.header('authorization');
    const given = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (given === undefined) {
      throw new GatewayError(401, "You didn't provide an API key. Provide it in an Authorization header (Bearer auth).", 'invalid_request_error');
    }
    if (!timingSafeEqual(digest(given), expected)) {
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    await next();
  };
}
