import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from './server.js';
import { chatLine, json, jsonl, pollStatuses, postJson, uploadFile } from './test-helpers.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const lines = Array.from({ length: 12 }, (_, index) => chatLine(`row-${index}`, `question ${index}`));

async function createBatch(options: FakeProviderOptions = {}, input = jsonl(lines)): Promise<Record<string, any>> {
  provider = await startFakeProvider(options);
  const file = await uploadFile(provider.url, input, 'batch');
  const response = await postJson(`${provider.url}/batches`, { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: 'r1' } });
  expect(response.status).toBe(200);
  return json(response);
}

async function fileLines(fileId: string): Promise<Array<Record<string, any>>> {
  const text = await (await fetch(`${provider!.url}/files/${fileId}/content`)).text();
  return text.trim().split('\n').map((line) => JSON.parse(line));
}

const isTerminal = (batch: Record<string, any>) => ['completed', 'done', 'failed', 'expired', 'cancelled'].includes(batch.status);

describe('batches', () => {
  it('walks validating → in_progress → finalizing → completed and writes OpenAI-shaped, shuffled output', async () => {
    const created = await createBatch();
    expect(created).toMatchObject({ object: 'batch', status: 'validating', endpoint: '/v1/chat/completions', completion_window: '24h', output_file_id: null, error_file_id: null, errors: null, metadata: { run: 'r1' } });
    expect(created.id).toMatch(/^batch_/);
    expect(created.expires_at - created.created_at).toBe(86_400);
    const { statuses, last } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    expect(statuses).toEqual(['in_progress', 'finalizing', 'completed']);
    expect(last.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    expect(last.error_file_id).toBeNull();
    expect(last.in_progress_at).toEqual(expect.any(Number));
    expect(last.completed_at).toEqual(expect.any(Number));
    const output = await fileLines(last.output_file_id);
    expect(output).toHaveLength(12);
    expect(output.map((line) => line.custom_id)).not.toEqual(lines.map((line) => line.custom_id));
    expect(new Set(output.map((line) => line.custom_id))).toEqual(new Set(lines.map((line) => line.custom_id)));
    const row = output.find((line) => line.custom_id === 'row-3')!;
    expect(row).toMatchObject({ id: expect.stringMatching(/^batch_req_/), error: null, response: { status_code: 200, request_id: expect.any(String), body: { object: 'chat.completion', model: 'teacher' } } });
    expect(row.response.body.choices[0].message.content).toBe('QUESTION 3');
    const outputFile = await json(fetch(`${provider!.url}/files/${last.output_file_id}`));
    expect(outputFile.purpose).toBe('batch_output');
  });

  it('lasts pollsPerStatus polls in each status', async () => {
    const created = await createBatch({ batch: { pollsPerStatus: 2 } });
    const { statuses } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    expect(statuses).toEqual(['validating', 'in_progress', 'in_progress', 'finalizing', 'finalizing', 'completed']);
  });

  it('sends failed lines to the error file in OpenAI shape', async () => {
    const created = await createBatch({ batch: { lineFailure: ({ custom_id }) => (custom_id === 'row-5' ? { status_code: 500, message: 'boom', code: 'server_error', type: 'server_error' } : undefined) } });
    const { last } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    expect(last.request_counts).toEqual({ total: 12, completed: 11, failed: 1 });
    const errors = await fileLines(last.error_file_id);
    expect(errors).toEqual([{ id: expect.any(String), custom_id: 'row-5', response: { status_code: 500, request_id: expect.any(String), body: { error: { message: 'boom', type: 'server_error', param: null, code: 'server_error' } } }, error: null }]);
    expect((await fileLines(last.output_file_id)).map((line) => line.custom_id)).not.toContain('row-5');
  });

  it('a line whose body is not a valid chat request fails with 400 in the error file', async () => {
    const created = await createBatch({}, jsonl([...lines.slice(0, 2), { custom_id: 'bad', method: 'POST', url: '/v1/chat/completions', body: { model: 'm' } }]));
    const { last } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    const [error] = await fileLines(last.error_file_id);
    expect(error).toMatchObject({ custom_id: 'bad', response: { status_code: 400, body: { error: { param: 'messages' } } } });
  });

  it('expires with part of the lines done and the rest in the error file as batch_expired', async () => {
    const created = await createBatch({ batch: { outcome: 'expired', completedBeforeStop: 5 } });
    const { statuses, last } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    expect(statuses).toEqual(['in_progress', 'expired']);
    expect(last.expired_at).toEqual(expect.any(Number));
    expect(last.request_counts).toEqual({ total: 12, completed: 5, failed: 7 });
    expect(await fileLines(last.output_file_id)).toHaveLength(5);
    const errors = await fileLines(last.error_file_id);
    expect(errors).toHaveLength(7);
    expect(errors[0]).toMatchObject({ response: null, error: { code: 'batch_expired' } });
  });

  it('cancels: cancelling then cancelled, with what ran kept', async () => {
    const created = await createBatch();
    await json(fetch(`${provider!.url}/batches/${created.id}`)); // in_progress
    const cancelling = await json(fetch(`${provider!.url}/batches/${created.id}/cancel`, { method: 'POST' }));
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).toEqual(expect.any(Number));
    const cancelled = await json(fetch(`${provider!.url}/batches/${created.id}`));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.request_counts).toEqual({ total: 12, completed: 6, failed: 6 });
    expect((await fileLines(cancelled.error_file_id))[0]?.error.code).toBe('batch_cancelled');
    const again = await fetch(`${provider!.url}/batches/${created.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('fails while validating when the input file is malformed, with line errors', async () => {
    const created = await createBatch({}, `${JSON.stringify(lines[0])}\nnot json\n${JSON.stringify(lines[0])}\n`);
    const { statuses, last } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    expect(statuses).toEqual(['failed']);
    expect(last.errors.data.map((error: { code: string; line: number }) => [error.code, error.line])).toEqual([
      ['invalid_json_line', 2],
      ['duplicate_custom_id', 3],
    ]);
    expect(last.failed_at).toEqual(expect.any(Number));
  });

  it('rejects creation with a missing input file or a wrong window', async () => {
    provider = await startFakeProvider();
    const missing = await postJson(`${provider.url}/batches`, { input_file_id: 'file-nope', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.param).toBe('input_file_id');
    const file = await uploadFile(provider.url, jsonl(lines), 'batch');
    const window = await postJson(`${provider.url}/batches`, { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '1h' });
    expect((await json(window)).error.param).toBe('completion_window');
  });

  it('uses the Nebius flow and line shape when configured', async () => {
    const created = await createBatch({ batchShape: 'nebius', batchStatusFlow: 'nebius' });
    const { statuses, last } = await pollStatuses(`${provider!.url}/batches/${created.id}`, isTerminal);
    expect(statuses).toEqual(['validated', 'running', 'done']);
    const output = await fileLines(last.output_file_id);
    expect(output[0]).toMatchObject({ id: expect.any(String), custom_id: expect.any(String), response: { object: 'chat.completion', choices: [{ message: { role: 'assistant' } }] }, error: null });
  });

  it('lists batches newest first with cursor paging', async () => {
    const first = await createBatch();
    const file = await uploadFile(provider!.url, jsonl(lines), 'batch');
    const second = await json(postJson(`${provider!.url}/batches`, { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }));
    const page = await json(fetch(`${provider!.url}/batches?limit=1`));
    expect(page).toMatchObject({ object: 'list', data: [{ id: second.id }], has_more: true, first_id: second.id, last_id: second.id });
    const next = await json(fetch(`${provider!.url}/batches?limit=1&after=${second.id}`));
    expect(next).toMatchObject({ data: [{ id: first.id }], has_more: false });
  });
});
