import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchPhase, batchRequestLine, createBatch } from '../../src/llm/batches.js';
import { chatRequestBody, type ChatParameters } from '../../src/llm/chat.js';
import { uploadFile } from '../../src/llm/files.js';
import { HttpClient } from '../../src/llm/http-client.js';
import { startFakeProvider, type FakeProvider } from './index.js';

/**
 * The fake provider's responses and the client's requests, checked against schemas extracted from the
 * providers' published OpenAPI documents (openapi/*.json, see openapi/extract.ts for source and commit).
 */
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.removeKeyword('nullable');
for (const provider of ['openai', 'together']) {
  ajv.addSchema(withNullableAsType(JSON.parse(readFileSync(join(import.meta.dirname, 'openapi', `${provider}.json`), 'utf8'))), provider);
}

/**
 * OpenAPI 3.0's `nullable: true` (still used here and there in these 3.1 documents) in JSON Schema terms:
 * `type` (and `enum`) gain null; beside a `$ref`, or as an `allOf` member of its own, it becomes `anyOf [..., null]`.
 */
function withNullableAsType(value: unknown): object {
  if (Array.isArray(value)) return value.map(withNullableAsType);
  if (value === null || typeof value !== 'object') return value as object;
  const { allOf } = value as { allOf?: unknown };
  if (Array.isArray(allOf) && allOf.some(isNullableMarker)) {
    return { anyOf: [withNullableAsType({ ...value, allOf: allOf.filter((member) => !isNullableMarker(member)) }), { type: 'null' }] };
  }
  const schema = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withNullableAsType(inner)])) as Record<string, unknown>;
  if (schema.nullable !== true) return schema;
  delete schema.nullable;
  if (typeof schema.type === 'string') {
    schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    return schema;
  }
  return { anyOf: [schema, { type: 'null' }] };
}

function isNullableMarker(member: unknown): boolean {
  return typeof member === 'object' && member !== null && Object.keys(member).length === 1 && (member as { nullable?: unknown }).nullable === true;
}

/**
 * OpenAI's Batch schema types `errors`, `output_file_id`, `failed_at`, … as non-null but optional, while the
 * document's own example response (GET /batches/{batch_id}) shows them `null`, as the API sends them. So a
 * null in a property the schema does not require is accepted; every other value is checked.
 */
function withoutOptionalNulls(value: Record<string, unknown>, required: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key, inner]) => inner !== null || required.includes(key)));
}
const BATCH_REQUIRED = ['id', 'object', 'endpoint', 'input_file_id', 'completion_window', 'status', 'created_at'];

function expectShape(document: 'openai' | 'together', schema: string, value: unknown): void {
  const validate = ajv.getSchema(`${document}#/components/schemas/${schema}`);
  if (validate === undefined) throw new Error(`no schema ${schema} in ${document}.json`);
  const valid = validate(value);
  expect(valid ? [] : validate.errors!.map((error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`), `${document} ${schema}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);
}

let provider: FakeProvider;
beforeAll(async () => {
  provider = await startFakeProvider();
});
afterAll(() => provider.close());

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${provider.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const lastBody = (path: string): unknown => provider.state.requests.filter((request) => request.path === path).at(-1)!.body;
const parameters: ChatParameters = { model: 'gpt-4.1-mini', messages: [{ role: 'system', content: 'Fix it.' }, { role: 'user', content: 'she go home' }], max_tokens: 32, temperature: 0, seed: 1, stop: ['\n\n'] };

describe('OpenAI (openai/openai-openapi)', () => {
  it('chat: the client request bodies (plain, reasoning model, streaming) and the fake answer and its stream chunks', async () => {
    for (const body of [chatRequestBody(parameters, false, 'openai'), chatRequestBody({ ...parameters, model: 'o4-mini' }, false, 'openai'), chatRequestBody(parameters, true, 'openai')]) {
      expectShape('openai', 'CreateChatCompletionRequest', body);
    }
    const answer = await (await post('/chat/completions', chatRequestBody(parameters, false, 'openai'))).json();
    expectShape('openai', 'CreateChatCompletionResponse', answer);
    const reasoning = await (await post('/chat/completions', chatRequestBody({ ...parameters, model: 'o4-mini' }, false, 'openai'))).json();
    expectShape('openai', 'CreateChatCompletionResponse', reasoning);
    const stream = await (await post('/chat/completions', chatRequestBody(parameters, true, 'openai'))).text();
    const chunks = stream.split('\n\n').filter((event) => event.startsWith('data: {')).map((event) => JSON.parse(event.slice(6)) as unknown);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expectShape('openai', 'CreateChatCompletionStreamResponse', chunk);
  });

  it('chat with top-k log-probs (teacher.logprobs): the request and the fake answer with its logprobs.content', async () => {
    const body = chatRequestBody({ ...parameters, extra: { logprobs: true, top_logprobs: 5 } }, false, 'openai');
    expectShape('openai', 'CreateChatCompletionRequest', body);
    const answer = (await (await post('/chat/completions', body)).json()) as { choices: { logprobs: { content: { top_logprobs: unknown[] }[] } }[] };
    expectShape('openai', 'CreateChatCompletionResponse', answer);
    expect(answer.choices[0]!.logprobs.content.length).toBeGreaterThan(0);
    for (const token of answer.choices[0]!.logprobs.content) expect(token.top_logprobs).toHaveLength(5);
  });

  it('files and batches: the client upload form and create body, the fake file and batch objects through every status', async () => {
    const http = new HttpClient({ baseURL: provider.url, flavor: 'openai' });
    const file = await uploadFile(http, `${batchRequestLine('a', chatRequestBody(parameters, false, 'openai'))}\n`, 'requests.jsonl', 'batch');
    const form = lastBody('/v1/files') as { purpose: string; filename: string };
    expectShape('openai', 'CreateFileRequest', { purpose: form.purpose, file: form.filename });
    expectShape('openai', 'OpenAIFile', await (await fetch(`${provider.url}/files/${file.id}`)).json());
    const batch = await createBatch(http, file.id, '24h', { distillery_round: '1' });
    expectShape('openai', 'CreateBatchRequest', lastBody('/v1/batches'));
    const raw = async (response: Promise<Response>): Promise<Record<string, unknown>> => withoutOptionalNulls((await (await response).json()) as Record<string, unknown>, BATCH_REQUIRED);
    expectShape('openai', 'Batch', await raw(post('/batches', { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })));
    const statuses: string[] = [];
    for (let poll = 0; poll < 10 && batchPhase(statuses.at(-1) ?? 'validating') === 'pending'; poll++) {
      const polled = await raw(fetch(`${provider.url}/batches/${batch.id}`));
      expectShape('openai', 'Batch', polled);
      statuses.push(polled.status as string);
    }
    expect(statuses.at(-1)).toBe('completed');
    const second = await createBatch(http, file.id, '24h');
    expectShape('openai', 'Batch', await raw(post(`/batches/${second.id}/cancel`, {})));
  });
});

describe('Together (togethercomputer/openapi)', () => {
  it('chat: the client request body and the fake answer and stream chunks', async () => {
    const body = chatRequestBody({ ...parameters, model: 'Qwen/Qwen3-8B', extra: { continue_final_message: true, add_generation_prompt: false } }, false, 'together');
    expectShape('together', 'ChatCompletionRequest', body);
    expectShape('together', 'ChatCompletionResponse', await (await post('/chat/completions', body)).json());
    const stream = await (await post('/chat/completions', chatRequestBody({ ...parameters, model: 'Qwen/Qwen3-8B' }, true, 'together'))).text();
    for (const event of stream.split('\n\n').filter((text) => text.startsWith('data: {'))) {
      const chunk = JSON.parse(event.slice(6)) as { choices: unknown[] };
      // Together's ChatCompletionChunk requires one choice; the final usage chunk (OpenAI's include_usage form) has none.
      if (chunk.choices.length > 0) expectShape('together', 'ChatCompletionChunk', chunk);
    }
  });

  it('files and batches: the /files/upload form, the file object, the create body, {job, warning} and every BatchJob', async () => {
    provider.setBehaviour({ batchStatusFlow: 'together', batch: { warning: 'some lines name another model' } });
    const http = new HttpClient({ baseURL: provider.url, flavor: 'together' });
    const uploaded = await fetch(`${provider.url}/files/upload`, { method: 'POST', body: uploadForm() });
    expectShape('together', 'FileResponse', await uploaded.json());
    const file = await uploadFile(http, `${batchRequestLine('a', chatRequestBody({ ...parameters, model: 'Qwen/Qwen3-8B' }, false, 'together'))}\n`, 'requests.jsonl', 'batch');
    const form = lastBody('/v1/files/upload') as Record<string, unknown>;
    expectShape('together', 'FilesUploadRequest', { purpose: form.purpose, file_name: form.file_name, file_type: form.file_type, file: form.filename });
    const created = await post('/batches', { endpoint: '/v1/chat/completions', input_file_id: file.id });
    expect(created.status).toBe(201);
    expectShape('together', 'BatchJobWithWarning', await created.json());
    const batch = await createBatch(http, file.id, '24h');
    expectShape('together', 'CreateBatchRequest', lastBody('/v1/batches'));
    for (let poll = 0; poll < 6; poll++) {
      const job = await (await fetch(`${provider.url}/batches/${batch.id}`)).json();
      expectShape('together', 'BatchJob', job);
    }
    provider.setBehaviour({ batchStatusFlow: 'openai', batch: { warning: undefined } });
  });
});

function uploadForm(): FormData {
  const form = new FormData();
  form.append('purpose', 'batch-api');
  form.append('file_name', 'direct.jsonl');
  form.append('file', new Blob(['{}\n']), 'direct.jsonl');
  return form;
}
