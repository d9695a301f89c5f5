import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { GatewayError } from './gateway-error.js';
import type { GatewayEnv } from './token-limits.js';
import { bearerToken, tokenMatcher } from './token-match.js';

/** A fresh token for one gateway run (printed once at start). */
export function generateToken(): string {
  return `dsk-${randomBytes(24).toString('base64url')}`;
}

/**
 * Requires `Authorization: Bearer <token>` with one of `tokens` (compared as token-match.ts does), and
 * records which one (per-token limits key on it).
 */
export function bearerAuth(tokens: string | readonly string[]): MiddlewareHandler<GatewayEnv> {
  const list = typeof tokens === 'string' ? [tokens] : tokens;
  if (list.length === 0) throw new Error('the gateway needs at least one bearer token');
  const matches = tokenMatcher(list);
  return async (context, next) => {
    const given = bearerToken(context.req.header('authorization'));
    if (given === undefined) {
      throw new GatewayError(401, "You didn't provide an API key. Provide it in an Authorization header (Bearer auth).", 'invalid_request_error');
    }
    const givenDigest = matches(given);
    if (givenDigest === undefined) {
      throw new GatewayError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    // The limits need only tell tokens apart: they key on a digest, so no token sits in their maps.
    context.set('token', givenDigest.toString('base64url'));
    await next();
  };
}
