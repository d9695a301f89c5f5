import { afterEach, describe, expect, it } from 'vitest';
import { embedText } from './embeddings.js';
import { startFakeProvider, type FakeProvider } from './server.js';
import { json, postJson } from './test-helpers.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const cosine = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);

describe('embeddings', () => {
  it('is deterministic, normalised, and near-identical texts are close', () => {
    const a = embedText('The quick brown fox jumps over the lazy dog');
    expect(embedText('The quick brown fox jumps over the lazy dog')).toEqual(a);
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(cosine(a, embedText('The quick brown fox jumped over the lazy dog!'))).toBeGreaterThan(0.8);
    expect(cosine(a, embedText('Invoice total: 42 EUR, due in thirty days'))).toBeLessThan(0.4);
  });

  it('answers in OpenAI shape, for one or many inputs, floats or base64', async () => {
    provider = await startFakeProvider();
    const body = await json(postJson(`${provider.url}/embeddings`, { model: 'embed-1', input: ['alpha beta', 'gamma'], dimensions: 64 }));
    expect(body).toMatchObject({ object: 'list', model: 'embed-1', usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(body.data).toHaveLength(2);
    expect(body.data[1]).toMatchObject({ object: 'embedding', index: 1 });
    expect(body.data[0].embedding).toHaveLength(64);
    const encoded = await json(postJson(`${provider.url}/embeddings`, { model: 'embed-1', input: 'alpha beta', dimensions: 64, encoding_format: 'base64' }));
    const decoded = [...new Float32Array(Uint8Array.from(Buffer.from(encoded.data[0].embedding, 'base64')).buffer)];
    decoded.forEach((value, index) => expect(value).toBeCloseTo(body.data[0].embedding[index], 5));
    expect((await postJson(`${provider.url}/embeddings`, { model: 'embed-1' })).status).toBe(400);
  });
});
