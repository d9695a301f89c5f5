import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from './http-client.js';
import { scoreAnswer, ScoringUnsupportedError, servesLoraAdapters } from './prompt-scoring.js';

/**
 * `/v1/models` as vLLM's OpenAI server documents it (vllm/entrypoints/openai/protocol.py ModelCard: id, object, created,
 * owned_by, root, parent, max_model_len, permission): the base has `parent: null`, a LoRA adapter its base's name.
 * A server without `/tokenize` (any OpenAI-compatible server but vLLM's; here a 404 for every other path) cannot score.
 * The scoring itself runs against the real vLLM server (test/generate/prompt-logprobs-scoring.test.ts).
 */
const card = (id: string, root: string, parent: string | null) => ({ id, object: 'model', created: 1764460800, owned_by: 'vllm', root, parent, max_model_len: 2048, permission: [] });
const listings: Record<string, unknown[]> = {
  '/plain/v1/models': [card('tiny', '/models/tiny', null)],
  '/lora/v1/models': [card('tiny', '/models/tiny', null), card('shout', '/adapters/shout', 'tiny')],
};
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const data = listings[request.url ?? ''];
    response.writeHead(data ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(data ? { object: 'list', data } : { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('servesLoraAdapters', () => {
  it('is true only when /v1/models lists an adapter (an entry whose parent is another model)', async () => {
    expect(await servesLoraAdapters(new HttpClient({ baseURL: `${origin}/plain/v1` }))).toBe(false);
    expect(await servesLoraAdapters(new HttpClient({ baseURL: `${origin}/lora/v1` }))).toBe(true);
  });
});

describe('scoreAnswer', () => {
  it('names a server without /tokenize as one that cannot score, instead of failing every answer alike', async () => {
    const http = new HttpClient({ baseURL: `${origin}/plain/v1` });
    const error = await scoreAnswer(http, { model: 'tiny', messages: [{ role: 'user', content: 'hi' }], answer: 'hello', topK: 5 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScoringUnsupportedError);
    expect((error as Error).message).toBe(`${origin}/plain/tokenize answered 404: scoring fixed answers needs vLLM's OpenAI server (its /tokenize and prompt_logprobs); the worker's transformers server has neither`);
  });
});
