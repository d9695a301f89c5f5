import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalRequest, requestCacheKey, sha256 } from './cache-key.js';

describe('canonical JSON and the request cache key', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: undefined, x: 'é' }], c: null } })).toBe('{"a":{"c":null,"d":[{"x":"é","z":1}]},"b":1}');
    expect(canonicalJson([undefined, 'a\n"'])).toBe('[null,"a\\n\\""]');
  });

  it('keys equal requests equally whatever their key order, and different endpoints or parameters apart', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0.6 };
    const reordered = { temperature: 0.6, messages: [{ content: 'hi', role: 'user' }], max_tokens: 8, model: 'm' };
    expect(requestCacheKey('http://a/v1', body)).toBe(requestCacheKey('http://a/v1', reordered));
    expect(requestCacheKey('http://b/v1', body)).not.toBe(requestCacheKey('http://a/v1', body));
    expect(requestCacheKey('http://a/v1', { ...body, temperature: 0.7 })).not.toBe(requestCacheKey('http://a/v1', body));
  });

  it('hashes the endpoint as a member in key order (keys of existing caches stay valid)', () => {
    for (const body of [{ model: 'm', messages: [] }, { a: 1 }, { zz: 1 }, {}, { chat_template_kwargs: { enable_thinking: false }, max_tokens: 4, model: 'm' }]) {
      expect(requestCacheKey('http://host/v1', body)).toBe(sha256(canonicalJson({ endpoint: 'http://host/v1', ...body })));
    }
  });

  it('sends the canonical body without the endpoint', () => {
    const request = canonicalRequest('http://host/v1', { model: 'm', max_tokens: undefined, messages: [{ role: 'user', content: 'x' }] });
    expect(JSON.parse(request.text)).toEqual({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(request.text).toBe(canonicalJson({ model: 'm', messages: [{ role: 'user', content: 'x' }] }));
  });
});
