import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../test/fake-provider/index.js';
import { cancelBatch, createBatch, retrieveBatch } from './batches.js';
import { createEmbeddings } from './embeddings.js';
import { ServerError } from './errors.js';
import { fileBytes, fileContent, uploadFile } from './files.js';
import { httpClientFor } from './endpoint.js';
import { HttpClient } from './http-client.js';
import { z } from 'zod';

/** Every provider call, not only chat, survives one injected fault of each retryable kind. */
let provider: FakeProvider;
let http: HttpClient;
const retried: string[] = [];

beforeAll(async () => {
  provider = await startFakeProvider();
  http = new HttpClient({ baseURL: provider.url, retry: { baseDelayMs: 1, maxDelayMs: 50 }, onRetry: (notice) => retried.push(notice.url) });
});
afterAll(() => provider.close());

function requestsTo(path: string): number {
  return provider.state.requests.filter((request) => request.path === path).length;
}

describe('retries for every provider call', () => {
  it('a 502 while polling a batch, a dropped upload and a 503 on create do not fail the batch path', async () => {
    provider.setBehaviour({ faults: [
      { match: { nth: 1 }, kind: 'drop-before-response', endpoint: '/v1/files' },
      { match: { nth: 1 }, kind: '503', endpoint: '/v1/batches' },
    ] });
    const line = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi there' }] } });
    const file = await uploadFile(http, `${line}\n`, 'in.jsonl', 'batch');
    const batch = await createBatch(http, file.id, '24h');
    expect(requestsTo('/v1/batches')).toBe(2); // the 503 said nothing was created: one batch exists
    expect(provider.state.batches.size).toBe(1);
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '502', endpoint: `/v1/batches/${batch.id}` }] });
    let polled = await retrieveBatch(http, batch.id);
    while (polled.status !== 'completed') polled = await retrieveBatch(http, batch.id);
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: 'drop-mid-response', endpoint: '/v1/files' }] });
    const output = await fileContent(http, polled.output_file_id!);
    expect(output).toContain('HI THERE');
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '500', endpoint: '/v1/files' }] });
    expect(new TextDecoder().decode(await fileBytes(http, polled.output_file_id!))).toBe(output);
  });

  it('honours Retry-After and retry-after-ms on reads, capped by maxDelayMs', async () => {
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '429', retryAfterMs: 120, endpoint: '/v1/batches' }] });
    const client = new HttpClient({ baseURL: provider.url, retry: { baseDelayMs: 1, maxDelayMs: 1000 } });
    let started = performance.now();
    await client.json('GET', '/batches', z.object({ data: z.array(z.unknown()) }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    // A Retry-After of an hour is capped at maxDelayMs (50 ms here), not obeyed.
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '429', retryAfter: 3600, endpoint: '/v1/batches' }] });
    started = performance.now();
    await http.json('GET', '/batches', z.object({ data: z.array(z.unknown()) }));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('embeddings and batch cancel are retried after a 500', async () => {
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '500', endpoint: '/v1/embeddings' }] });
    const vectors = await createEmbeddings(http, 'embed', ['one', 'two']);
    expect(vectors).toHaveLength(2);
    const line = JSON.stringify({ custom_id: 'b', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
    const file = await uploadFile(http, `${line}\n`, 'in.jsonl', 'batch');
    const batch = await createBatch(http, file.id, '24h');
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '500', endpoint: `/v1/batches/${batch.id}/cancel` }] });
    const cancelled = await cancelBatch(http, batch.id);
    expect(['cancelling', 'cancelled']).toContain(cancelled.status);
  });

  it('a create that may have been carried out (a 500) is not repeated: no second batch, a typed error', async () => {
    const before = provider.state.batches.size;
    const line = JSON.stringify({ custom_id: 'c', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'x' }] } });
    const file = await uploadFile(http, `${line}\n`, 'in.jsonl', 'batch');
    provider.setBehaviour({ faults: [{ match: { always: true }, kind: '500', endpoint: '/v1/batches' }] });
    const creates = requestsTo('/v1/batches');
    await expect(createBatch(http, file.id, '24h')).rejects.toBeInstanceOf(ServerError);
    expect(requestsTo('/v1/batches')).toBe(creates + 1);
    expect(provider.state.batches.size).toBe(before);
    provider.setBehaviour({ faults: [] });
  });

  it('gives up after maxAttempts and says how many were made', async () => {
    provider.setBehaviour({ faults: [{ match: { always: true }, kind: '502', endpoint: '/v1/files' }] });
    const client = new HttpClient({ baseURL: provider.url, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const before = requestsTo('/v1/files');
    const error = await client.json('GET', '/files', z.unknown()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as { attempts: number }).attempts).toBe(3);
    expect(requestsTo('/v1/files')).toBe(before + 3);
    provider.setBehaviour({ faults: [] });
  });

  it('a create whose connection was refused (nothing sent) is retried', async () => {
    // A port nobody listens on: every attempt is refused, and each is a retry of a POST.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const notices: number[] = [];
    const client = new HttpClient({ baseURL: `http://127.0.0.1:${port}/v1`, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, onRetry: (notice) => notices.push(notice.attempt) });
    await expect(client.json('POST', '/batches', z.unknown(), {})).rejects.toThrow(/connection/);
    expect(notices).toEqual([1, 2]);
  });

  it('fine-tuning: a create refused with 429 is sent again (one job), polls and event reads survive 502 and drops', async () => {
    const examples = Array.from({ length: 10 }, (_, index) => JSON.stringify({ messages: [{ role: 'user', content: `q ${index}` }, { role: 'assistant', content: `a ${index}` }] })).join('\n');
    const training = await uploadFile(http, `${examples}\n`, 'train.jsonl', 'fine-tune');
    const job = z.object({ id: z.string(), status: z.string() });
    const before = provider.state.fineTuningJobs.size;
    provider.setBehaviour({ faults: [{ match: { nth: 1 }, kind: '429', retryAfterMs: 5, endpoint: '/v1/fine_tuning/jobs' }] });
    const created = (await http.json('POST', '/fine_tuning/jobs', job, { model: 'base', training_file: training.id })).data;
    expect(provider.state.fineTuningJobs.size).toBe(before + 1);
    provider.setBehaviour({ faults: [
      { match: { nth: 1 }, kind: '502', endpoint: `/v1/fine_tuning/jobs/${created.id}` },
      { match: { nth: 2 }, kind: 'drop-before-response', endpoint: `/v1/fine_tuning/jobs/${created.id}` },
    ] });
    expect((await http.json('GET', `/fine_tuning/jobs/${created.id}`, job)).data.id).toBe(created.id);
    expect((await http.json('GET', `/fine_tuning/jobs/${created.id}/events`, z.object({ data: z.array(z.unknown()) }))).data.data.length).toBeGreaterThan(0);
  });

  it('a Nebius deploy (POST /v0/models) answered 500 is not sent twice', async () => {
    const deploy = new HttpClient({ baseURL: provider.url.replace(/\/v1$/, '/v0'), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    provider.setBehaviour({ faults: [{ match: { always: true }, kind: '500', endpoint: '/v0/models' }] });
    const sent = requestsTo('/v0/models');
    await expect(deploy.json('POST', '/models', z.unknown(), { source: 'ftjob-x:ckpt-1', base_model: 'meta-llama/Llama-3.1-8B-Instruct', name: 'student' })).rejects.toBeInstanceOf(ServerError);
    expect(requestsTo('/v0/models')).toBe(sent + 1);
    provider.setBehaviour({ faults: [] });
  });

  it("the run's abort ends a wait between attempts at once, for calls that carry no signal of their own", async () => {
    // Files, batches and fine-tuning calls pass no signal: the client's own (the run's) must end their retries,
    // or Ctrl-C waits out a Retry-After (up to maxDelayMs) and the attempts left.
    provider.setBehaviour({ faults: [{ match: { always: true }, kind: '429', retryAfter: 30, endpoint: '/v1/batches' }] });
    const run = new AbortController();
    const client = new HttpClient({ baseURL: provider.url, signal: run.signal, retry: { baseDelayMs: 1, maxDelayMs: 60_000 } });
    const started = performance.now();
    setTimeout(() => run.abort(new Error('run stopped')), 100);
    await expect(client.json('GET', '/batches', z.unknown())).rejects.toThrow(/run stopped|abort/);
    expect(performance.now() - started).toBeLessThan(5_000);
    provider.setBehaviour({ faults: [] });
  }, 15_000);

  it('httpClientFor hands the run signal to the client', async () => {
    provider.setBehaviour({ faults: [{ match: { always: true }, kind: '429', retryAfter: 30, endpoint: '/v1/batches' }] });
    const run = new AbortController();
    const client = httpClientFor('fake', { base_url: provider.url }, {}, undefined, { signal: run.signal });
    setTimeout(() => run.abort(new Error('run stopped')), 100);
    const started = performance.now();
    await expect(retrieveBatch(client, 'batch_missing')).rejects.toThrow(/run stopped|abort/);
    expect(performance.now() - started).toBeLessThan(5_000);
    provider.setBehaviour({ faults: [] });
  }, 15_000);
});
