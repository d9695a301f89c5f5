import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { GatewayError } from './gateway-error.js';
import type { GatewayEnv } from './token-limits.js';

/** A fresh token for one gateway run (printed once at start). */
export function generateToken(): string {
  return `dsk-${randomBytes(24).toString('base64url')}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Requires `Authorization: Bearer <token>` with one of `tokens`, and records which one (per-token limits key
 * on it). Both sides are hashed first, so each comparison is constant-time and its length does not depend on
 * what the client sent; every token is compared, so the time does not say which one nearly matched.
 */
export function bearerAuth(tokens: string | readonly string[]): MiddlewareHandler<GatewayEnv> {
  const expected = (typeof tokens === 'string' ? [tokens] : tokens).map(digest);
  if (expected.length === 0) throw new Error('the gateway needs at least one bearer token');
  return async (context, next) => {
    const header = context.req.header('authorization');
    const given = header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (given === undefined) {
      throw new GatewayError(401, "You didn't provide an API key. Provide it in an Authorization header (Bearer auth).", 'invalid_request_error');
    }
    const givenDigest = digest(given);
    let matched = false;
    for (const candidate of expected) if (timingSafeEqual(givenDigest, candidate)) matched = true;
    if (!matched) {
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    // The limits need only tell tokens apart: they key on a digest, so no token sits in their maps.
    context.set('token', givenDigest.toString('base64url'));
    await next();
  };
}
