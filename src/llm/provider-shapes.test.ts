import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../test/fake-provider/index.js';
import { batchPhase, createBatch, retrieveBatch } from './batches.js';
import { chatRequestBody } from './chat.js';
import { httpClientFor } from './endpoint.js';
import { fileContent, uploadFile } from './files.js';
import { HttpClient } from './http-client.js';
import { ModelClient } from './model-client.js';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(() => provider.close());

const line = (id: string, text: string) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: text }] } });
const prefixed = { model: 'gpt-5-mini', messages: [{ role: 'user' as const, content: 'hi' }, { role: 'assistant' as const, content: '<think></think>' }], max_tokens: 64, temperature: 0, extra: { continue_final_message: true, add_generation_prompt: false } };

describe('chat bodies as each provider documents them', () => {
  it('OpenAI reasoning models get max_completion_tokens and no temperature; other OpenAI models keep max_tokens', () => {
    expect(chatRequestBody(prefixed, false, 'openai')).toEqual({ model: 'gpt-5-mini', messages: prefixed.messages, max_completion_tokens: 64 });
    expect(chatRequestBody({ ...prefixed, model: 'o3' }, false, 'openai')).toMatchObject({ max_completion_tokens: 64 });
    expect(chatRequestBody({ ...prefixed, model: 'ft:o4-mini-2025-04-16:org::abc' }, false, 'openai')).not.toHaveProperty('max_tokens');
    expect(chatRequestBody({ ...prefixed, model: 'gpt-4.1-mini' }, false, 'openai')).toEqual({ model: 'gpt-4.1-mini', messages: prefixed.messages, max_tokens: 64, temperature: 0 });
  });

  it('chat-template fields go to vLLM, local engines and Nebius only', () => {
    for (const flavor of ['openai', 'together'] as const) {
      const body = chatRequestBody({ ...prefixed, model: 'Qwen/Qwen3-8B' }, false, flavor);
      expect(body).not.toHaveProperty('continue_final_message');
      expect(body).not.toHaveProperty('add_generation_prompt');
    }
    for (const flavor of ['nebius', 'vllm', 'local'] as const) {
      expect(chatRequestBody({ ...prefixed, model: 'gpt-5-mini' }, false, flavor)).toMatchObject({ continue_final_message: true, add_generation_prompt: false, max_tokens: 64, temperature: 0 });
    }
  });

  it('the body on the wire follows the endpoint flavor (ModelClient, as every stage sends)', async () => {
    const http = httpClientFor('openai', { base_url: provider.url, flavor: 'openai' }, {});
    await new ModelClient({ http, concurrency: 1 }).complete(prefixed, { useCache: false });
    const sent = provider.state.requests.at(-1)!.body as Record<string, unknown>;
    expect(sent).toEqual({ model: 'gpt-5-mini', messages: prefixed.messages, max_completion_tokens: 64 });
  });
});

describe('Together files and batches', () => {
  it('uploads to /files/upload with file_name and purpose batch-api, unwraps {job, warning}, and maps upper-case statuses', async () => {
    provider.setBehaviour({ batchStatusFlow: 'together', batch: { warning: 'model_id not given: taken from the input lines' } });
    const http = httpClientFor('together', { base_url: provider.url, flavor: 'together' }, {});
    const file = await uploadFile(http, `${line('a', 'first one')}\n${line('b', 'second one')}\n`, 'requests.jsonl', 'batch');
    const upload = provider.state.requests.at(-1)!;
    expect(upload.path).toBe('/v1/files/upload');
    expect(upload.body).toMatchObject({ purpose: 'batch-api', file_name: 'requests.jsonl', file_type: 'jsonl' });
    const batch = await createBatch(http, file.id, '24h', { distillery_round: '1' });
    expect(batch.warning).toContain('model_id');
    expect(batch.status).toBe('VALIDATING');
    expect(provider.state.requests.at(-1)!.body).not.toHaveProperty('metadata');
    const seen: string[] = [batch.status];
    let polled = batch;
    for (let poll = 0; poll < 10 && batchPhase(polled.status) === 'pending'; poll++) seen.push((polled = await retrieveBatch(http, batch.id)).status);
    expect(seen).toEqual(['VALIDATING', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    expect(batchPhase(polled.status)).toBe('completed');
    expect(await fileContent(http, polled.output_file_id!)).toContain('SECOND ONE');
  });

  it('a failed Together batch ends (FAILED), with its error text, instead of being polled forever', async () => {
    provider.setBehaviour({ batchStatusFlow: 'together', batch: { outcome: 'failed', warning: undefined } });
    const http = new HttpClient({ baseURL: provider.url, flavor: 'together' });
    const file = await uploadFile(http, `${line('a', 'x')}\n`, 'requests.jsonl', 'batch');
    const batch = await createBatch(http, file.id, '24h');
    let polled = batch;
    for (let poll = 0; poll < 10 && batchPhase(polled.status) === 'pending'; poll++) polled = await retrieveBatch(http, batch.id);
    expect(polled.status).toBe('FAILED');
    expect(batchPhase(polled.status)).toBe('failed');
    expect(polled.error).toContain('failed');
    provider.setBehaviour({ batchStatusFlow: 'openai', batch: { outcome: 'completed' } });
  });

  it('OpenAI uploads stay on POST /files with purpose batch', async () => {
    const http = new HttpClient({ baseURL: provider.url, flavor: 'openai' });
    await uploadFile(http, `${line('a', 'x')}\n`, 'requests.jsonl', 'batch');
    expect(provider.state.requests.at(-1)).toMatchObject({ path: '/v1/files', body: { purpose: 'batch', filename: 'requests.jsonl' } });
  });
});

describe('Azure-style endpoints', () => {
  it('keeps a base URL query on every path and sends an api-key header from the environment', async () => {
    const http = httpClientFor('azure', { base_url: `${provider.url}?api-version=2024-10-21`, headers_env: { 'api-key': 'AZURE_KEY' } }, { AZURE_KEY: 'secret-azure' });
    expect(http.url('/chat/completions')).toBe(`${provider.url}/chat/completions?api-version=2024-10-21`);
    expect(http.url('/files?after=file_1')).toBe(`${provider.url}/files?after=file_1&api-version=2024-10-21`);
    await new ModelClient({ http, concurrency: 1 }).complete({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'azure please' }] }, { useCache: false });
    const sent = provider.state.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers['api-key']).toBe('secret-azure');
    expect(sent.headers.authorization).toBeUndefined();
    expect(() => httpClientFor('azure', { base_url: provider.url, headers_env: { 'api-key': 'AZURE_KEY' } }, {})).toThrow(/AZURE_KEY/);
  });
});
