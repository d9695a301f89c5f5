import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './server.js';
import type { FaultRule } from './faults.js';
import { json, postJson } from './test-helpers.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const body = (content = 'hello world') => ({ model: 'm', messages: [{ role: 'user', content }] });
const chat = (content?: string, init: { signal?: AbortSignal } = {}) =>
  fetch(`${provider!.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(content)), ...init });

describe('fault injection', () => {
  it('fails the nth requests with 429 and Retry-After, then answers', async () => {
    provider = await startFakeProvider({ faults: [{ match: { nth: [1, 2] }, kind: '429', retryAfter: 2 }] });
    const first = await chat();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.headers.get('retry-after-ms')).toBeNull();
    expect((await json(first)).error.code).toBe('rate_limit_exceeded');
    expect((await chat()).status).toBe(429);
    expect((await chat()).status).toBe(200);
    expect(provider.state.requests).toHaveLength(3);
  });

  it('sends retry-after-ms alone when only that is configured', async () => {
    provider = await startFakeProvider({ faults: [{ match: { always: true }, kind: '429', retryAfterMs: 250 }] });
    const response = await chat();
    expect(response.headers.get('retry-after-ms')).toBe('250');
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('answers 500 and 503 as JSON server errors and 502 as an HTML gateway page', async () => {
    provider = await startFakeProvider({
      faults: [
        { match: { nth: 1 }, kind: '500' },
        { match: { nth: 2 }, kind: '502' },
        { match: { nth: 3 }, kind: '503' },
      ],
    });
    const internal = await chat();
    expect(internal.status).toBe(500);
    expect((await json(internal)).error.type).toBe('server_error');
    const gateway = await chat();
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toBe('text/html');
    expect(await gateway.text()).toContain('502 Bad Gateway');
    expect((await chat()).status).toBe(503);
    expect((await chat()).status).toBe(200);
  });

  it('drops the connection before any response', async () => {
    provider = await startFakeProvider({ faults: [{ match: { nth: 1 }, kind: 'drop-before-response' }] });
    await expect(chat()).rejects.toThrow();
    expect((await chat()).status).toBe(200);
  });

  it('drops the connection mid-response, for JSON and for streams', async () => {
    provider = await startFakeProvider({ faults: [{ match: { always: true }, kind: 'drop-mid-response' }] });
    const response = await chat('a long enough answer to cut in half');
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    const stream = await fetch(`${provider.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body('one two three four five six'), stream: true }),
    });
    const received = await stream.text().catch(() => 'dropped');
    expect(received.includes('[DONE]')).toBe(false);
  });

  it('answers slowly, beyond a client timeout', async () => {
    provider = await startFakeProvider({ faults: [{ match: { nth: 1 }, kind: 'slow', delayMs: 5_000 }] });
    await expect(chat(undefined, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const started = Date.now();
    expect((await chat()).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('returns empty content or a truncated answer', async () => {
    provider = await startFakeProvider({
      faults: [
        { match: { inputContains: 'EMPTY' }, kind: 'empty-content' },
        { match: { inputContains: 'CUT' }, kind: 'truncate' },
      ],
    });
    const empty = await json(chat('EMPTY please'));
    expect(empty.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'stop' });
    const cut = await json(chat('CUT one two three'));
    expect(cut.choices[0]).toMatchObject({ message: { content: 'CUT ONE' }, finish_reason: 'length' });
    const normal = await json(chat('fine'));
    expect(normal.choices[0].message.content).toBe('FINE');
  });

  it('fires a seeded random rate reproducibly', async () => {
    const rule: FaultRule = { match: { rate: 0.3, seed: 7 }, kind: '500' };
    const run = async () => {
      provider = await startFakeProvider({ faults: [rule] });
      const statuses: number[] = [];
      for (let index = 0; index < 30; index += 1) statuses.push((await chat()).status);
      await provider.close();
      provider = undefined;
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(first).toEqual(second);
    const failures = first.filter((status) => status === 500).length;
    expect(failures).toBeGreaterThan(2);
    expect(failures).toBeLessThan(20);
  });

  it('matches by predicate, limits firing with times, and scopes rules to an endpoint', async () => {
    provider = await startFakeProvider({
      faults: [
        { match: { predicate: (request) => request.index % 2 === 0 }, kind: '503', times: 1 },
        { match: { always: true }, kind: '500', endpoint: '/v1/embeddings' },
      ],
    });
    expect((await chat()).status).toBe(200);
    expect((await chat()).status).toBe(503);
    expect((await chat()).status).toBe(200);
    expect((await chat()).status).toBe(200);
    expect((await postJson(`${provider.url}/embeddings`, { model: 'e', input: 'x' })).status).toBe(500);
  });

  it('replaces the rules at runtime', async () => {
    provider = await startFakeProvider();
    expect((await chat()).status).toBe(200);
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '500' }] });
    expect((await chat()).status).toBe(500);
    expect((await chat()).status).toBe(200);
  });
});
