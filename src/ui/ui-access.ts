import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { bearerToken, tokenMatcher } from '../serve/token-match.js';

const COOKIE = 'distillery_ui_token';

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/**
 * Bound beyond loopback, every request needs the token: `?token=` once (it is then kept in an HttpOnly cookie
 * and dropped from the address), the cookie, or `Authorization: Bearer`, compared as token-match.ts does.
 */
export function tokenAccess(token: string): MiddlewareHandler {
  const matcher = tokenMatcher([token]);
  const matches = (given: string | undefined): boolean => matcher(given) !== undefined;
  return async (context, next) => {
    const fromQuery = context.req.query('token');
    if (matches(fromQuery)) {
      setCookie(context, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(context.req.url);
      url.searchParams.delete('token');
      return context.redirect(`${url.pathname}${url.search}`);
    }
    if (matches(getCookie(context, COOKIE)) || matches(bearerToken(context.req.header('authorization')))) return next();
    return context.text('distillery ui: a token is required (open the address the command printed, with ?token=…)', 401);
  };
}

/**
 * On loopback, only requests addressed to a loopback name: a page elsewhere cannot reach the dashboard by
 * pointing its own domain at 127.0.0.1 (DNS rebinding).
 */
export function loopbackHostOnly(): MiddlewareHandler {
  return async (context, next) => {
    const host = (context.req.header('host') ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!isLoopback(host)) return context.text('distillery ui: requests must be addressed to 127.0.0.1 or localhost', 403);
    return next();
  };
}
