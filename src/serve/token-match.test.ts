import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerToken, tokenMatcher } from './token-match.js';

describe('tokenMatcher', () => {
  it('matches any of the expected tokens and answers the digest of the one presented', () => {
    const matches = tokenMatcher(['alpha-token', 'beta-token']);
    expect(matches('beta-token')).toEqual(createHash('sha256').update('beta-token').digest());
    expect(matches('alpha-token')?.equals(matches('beta-token')!)).toBe(false);
  });

  it('refuses other tokens, prefixes, a longer token and nothing at all', () => {
    const matches = tokenMatcher(['alpha-token']);
    for (const given of ['alpha', 'alpha-token-and-more', 'ALPHA-TOKEN', '', undefined]) expect(matches(given)).toBeUndefined();
  });

  it('needs at least one token', () => {
    expect(() => tokenMatcher([])).toThrow(/at least one token/);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, case-insensitively, and nothing else', () => {
    expect(bearerToken('Bearer abc.DEF-1')).toBe('abc.DEF-1');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
