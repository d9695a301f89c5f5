import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from './server.js';
import { json, uploadFile } from './test-helpers.js';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe('files', () => {
  it('uploads multipart, returns the file object, serves content, lists and deletes', async () => {
    provider = await startFakeProvider();
    const content = '{"a":1}\n{"b":"ünïcode"}\n';
    const file = await uploadFile(provider.url, content, 'batch', 'input.jsonl');
    expect(file).toEqual({
      id: expect.stringMatching(/^file-/),
      object: 'file',
      bytes: Buffer.byteLength(content),
      created_at: expect.any(Number),
      filename: 'input.jsonl',
      purpose: 'batch',
      status: 'processed',
    });
    expect(await json(fetch(`${provider.url}/files/${file.id}`))).toEqual(file);
    expect(await (await fetch(`${provider.url}/files/${file.id}/content`)).text()).toBe(content);
    const list = await json(fetch(`${provider.url}/files?purpose=batch`));
    expect(list).toMatchObject({ object: 'list', data: [file] });
    expect(provider.state.requests[0]?.body).toEqual({ purpose: 'batch', filename: 'input.jsonl', bytes: Buffer.byteLength(content) });
    const deleted = await json(fetch(`${provider.url}/files/${file.id}`, { method: 'DELETE' }));
    expect(deleted).toEqual({ id: file.id, object: 'file', deleted: true });
    const gone = await fetch(`${provider.url}/files/${file.id}`);
    expect(gone.status).toBe(404);
    expect((await json(gone)).error.type).toBe('invalid_request_error');
  });

  it('keeps binary content byte for byte', async () => {
    provider = await startFakeProvider();
    const bytes = new Uint8Array([0, 1, 2, 13, 10, 45, 45, 255]);
    const file = await uploadFile(provider.url, bytes, 'user_data', 'blob.bin');
    const back = new Uint8Array(await (await fetch(`${provider.url}/files/${file.id}/content`)).arrayBuffer());
    expect([...back]).toEqual([...bytes]);
  });

  it('rejects a missing or unknown purpose and a missing file', async () => {
    provider = await startFakeProvider();
    const noPurpose = new FormData();
    noPurpose.append('file', new Blob(['x']), 'x.jsonl');
    const missing = await fetch(`${provider.url}/files`, { method: 'POST', body: noPurpose });
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.param).toBe('purpose');
    await expect(uploadFile(provider.url, 'x', 'nonsense')).rejects.toThrow(/400/);
    const noFile = new FormData();
    noFile.append('purpose', 'batch');
    const withoutFile = await fetch(`${provider.url}/files`, { method: 'POST', body: noFile });
    expect((await json(withoutFile)).error.param).toBe('file');
  });

  it("takes Together's /files/upload with file_name and answers with its extra fields", async () => {
    provider = await startFakeProvider();
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    form.append('file_name', 'train.jsonl');
    form.append('file', new Blob(['{"messages":[]}\n{"messages":[]}\n']), 'ignored.jsonl');
    const uploaded = await json(fetch(`${provider.url}/files/upload`, { method: 'POST', body: form }));
    expect(uploaded).toEqual({ id: expect.stringMatching(/^file-/), object: 'file', created_at: expect.any(Number), filename: 'train.jsonl', bytes: 32, purpose: 'fine-tune', Processed: true, FileType: 'jsonl', LineCount: 2 });
    expect((await json(fetch(`${provider.url}/files/${uploaded.id}`))).purpose).toBe('fine-tune');
  });
});
