import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './server.js';
import { countTokens, truncateToTokens } from './tokens.js';
import { json, postJson } from './test-helpers.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const request = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'teacher-1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }], ...extra });

describe('token rule', () => {
  it('counts whitespace-separated words and truncates keeping spacing', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('Hello, world!')).toBe(2);
    expect(countTokens('  a\n b\tc  ')).toBe(3);
    expect(truncateToTokens('one  two three', 2)).toBe('one  two');
    expect(truncateToTokens('one two', 5)).toBe('one two');
  });
});

describe('chat completions', () => {
  it('answers in the real response shape with counted usage', async () => {
    provider = await startFakeProvider();
    const response = await postJson(`${provider.url}/chat/completions`, request('what is two plus two'));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const body = await json(response);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'teacher-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'WHAT IS TWO PLUS TWO' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2 + 5, completion_tokens: 5, total_tokens: 12 },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(typeof body.created).toBe('number');
    expect(body.choices[0].message).not.toHaveProperty('reasoning_content');
    expect(provider.state.requests).toHaveLength(1);
    expect(provider.state.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'teacher-1' } });
  });

  it('uses the configured answer, with reasoning_content, and truncates to max_tokens with finish_reason length', async () => {
    provider = await startFakeProvider({ answer: () => ({ content: 'a b c d e f', reasoning_content: 'think think' }) });
    const full = await json(postJson(`${provider.url}/chat/completions`, request('x')));
    expect(full.choices[0].message).toMatchObject({ content: 'a b c d e f', reasoning_content: 'think think' });
    expect(full.usage.completion_tokens).toBe(8);
    const cut = await json(postJson(`${provider.url}/chat/completions`, request('x', { max_tokens: 5 })));
    expect(cut.choices[0]).toMatchObject({ message: { content: 'a b c', reasoning_content: 'think think' }, finish_reason: 'length' });
    expect(cut.usage.completion_tokens).toBe(5);
    const onlyReasoning = await json(postJson(`${provider.url}/chat/completions`, request('x', { max_completion_tokens: 1 })));
    expect(onlyReasoning.choices[0]).toMatchObject({ message: { content: '', reasoning_content: 'think' }, finish_reason: 'length' });
  });

  it('rejects malformed requests with OpenAI-style 400s', async () => {
    provider = await startFakeProvider();
    const noMessages = await postJson(`${provider.url}/chat/completions`, { model: 'm' });
    expect(noMessages.status).toBe(400);
    expect(await json(noMessages)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } });
    const notJson = await fetch(`${provider.url}/chat/completions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    const badMaxTokens = await postJson(`${provider.url}/chat/completions`, request('x', { max_tokens: 0 }));
    expect((await json(badMaxTokens)).error.param).toBe('max_tokens');
    const unknownRoute = await fetch(`${provider.url}/nothing`);
    expect(unknownRoute.status).toBe(404);
    expect((await json(unknownRoute)).error.message).toBe('Invalid URL (GET /v1/nothing)');
  });

  it('requires the bearer key when one is configured', async () => {
    provider = await startFakeProvider({ apiKey: 'sk-test' });
    const denied = await postJson(`${provider.url}/chat/completions`, request('x'));
    expect(denied.status).toBe(401);
    expect((await json(denied)).error.code).toBe('invalid_api_key');
    const allowed = await postJson(`${provider.url}/chat/completions`, request('x'), { authorization: 'Bearer sk-test' });
    expect(allowed.status).toBe(200);
  });

  it('refuses unknown models only when a model list is configured', async () => {
    provider = await startFakeProvider({ models: ['teacher-1'] });
    expect((await postJson(`${provider.url}/chat/completions`, request('x'))).status).toBe(200);
    const other = await postJson(`${provider.url}/chat/completions`, { ...request('x'), model: 'nope' });
    expect(other.status).toBe(404);
    expect((await json(other)).error.code).toBe('model_not_found');
  });

  it('streams SSE chunks, a finish chunk, a usage chunk when asked, then [DONE]', async () => {
    provider = await startFakeProvider({ answer: () => ({ content: 'hello there world', reasoning_content: 'hmm' }) });
    const response = await postJson(`${provider.url}/chat/completions`, request('x', { stream: true, stream_options: { include_usage: true } }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text.split('\n\n').filter((block) => block !== '');
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)));
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0].id)).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    const reasoning = chunks.map((chunk) => chunk.choices[0]?.delta.reasoning_content ?? '').join('');
    expect(content).toBe('hello there world');
    expect(reasoning).toBe('hmm');
    const finish = chunks[chunks.length - 2];
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(finish.usage).toBeNull();
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it('streams without a usage chunk by default', async () => {
    provider = await startFakeProvider();
    const text = await (await postJson(`${provider.url}/chat/completions`, request('one two', { stream: true }))).text();
    const chunks = text.split('\n\n').filter((block) => block.startsWith('data: {')).map((block) => JSON.parse(block.slice(6)));
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it('sends rate-limit headers and answers 429 with Retry-After past the limit', async () => {
    provider = await startFakeProvider({ rateLimit: { rpm: 2, tpm: 1000 } });
    const first = await postJson(`${provider.url}/chat/completions`, request('a b'));
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1000 - 6));
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+(\.\d+)?s|\d+m\d+s)$/);
    expect(first.headers.get('x-ratelimit-reset-tokens')).not.toBeNull();
    await postJson(`${provider.url}/chat/completions`, request('a b'));
    const limited = await postJson(`${provider.url}/chat/completions`, request('a b'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await json(limited)).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
  });

  it('enforces tokens per minute', async () => {
    provider = await startFakeProvider({ rateLimit: { tpm: 10 } });
    expect((await postJson(`${provider.url}/chat/completions`, request('a b c'))).status).toBe(200); // 4 + 3 = 7 tokens
    const limited = await postJson(`${provider.url}/chat/completions`, request('a b c'));
    expect(limited.status).toBe(429);
    expect((await json(limited)).error.type).toBe('tokens');
    expect(limited.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('waits latencyMs per chat request and can change behaviour at runtime', async () => {
    provider = await startFakeProvider({ latencyMs: 150 });
    const started = Date.now();
    await postJson(`${provider.url}/chat/completions`, request('x'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    provider.setBehaviour({ latencyMs: 0, answer: () => 'changed' });
    const body = await json(postJson(`${provider.url}/chat/completions`, request('x')));
    expect(body.choices[0].message.content).toBe('changed');
  });
});
