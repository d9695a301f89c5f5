import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * A check of presented tokens against the expected ones (the gateway's and the dashboard's). Both sides are
 * hashed first, so each comparison is constant-time and its length does not depend on what was sent; every
 * expected token is compared, so the time does not say which one nearly matched. Answers the presented
 * token's digest when it matches (a key that tells tokens apart without holding them), else undefined.
 */
export function tokenMatcher(tokens: readonly string[]): (given: string | undefined) => Buffer | undefined {
  const expected = tokens.map(digest);
  if (expected.length === 0) throw new Error('a token check needs at least one token');
  return (given) => {
    if (given === undefined) return undefined;
    const givenDigest = digest(given);
    let matched = false;
    for (const candidate of expected) if (timingSafeEqual(givenDigest, candidate)) matched = true;
    return matched ? givenDigest : undefined;
  };
}

/** The token of an `Authorization: Bearer <token>` header, if it is one. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}
