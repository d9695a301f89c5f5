import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesContaining, filesUnder } from '../helpers/files-under.js';
import { useFakeProvider } from '../helpers/fake-provider-fixture.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { generateThrough, sentences, writeTask } from '../helpers/task-fixture.js';

const temp = useTempDir();
const fake = useFakeProvider();
const SECRET = 'org-secret-51c0ffee';


describe('endpoints.*.headers_env', () => {
  it('sends each header with the value of its variable, and writes the value nowhere in the run', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(3), { endpoint: { headers: { 'x-team': 'grammar' }, headers_env: { 'x-org-key': 'ORG_KEY' } } });
    await generateThrough(task, { FAKE_API_KEY: 'sk-test-secret', ORG_KEY: SECRET });
    const chats = fake().state.requests.filter((request) => request.path === '/v1/chat/completions');
    expect(chats).toHaveLength(3);
    for (const chat of chats) expect(chat.headers).toMatchObject({ 'x-org-key': SECRET, 'x-team': 'grammar' });
    const written = filesUnder(task.runDir);
    expect(written.some((file) => file.endsWith('config.yaml'))).toBe(true);
    expect(filesContaining(task.runDir, SECRET)).toEqual([]);
    expect(readFileSync(join(task.runDir, 'config.yaml'), 'utf8')).toContain('ORG_KEY');
  });

  it('names the variable when it is not set, before anything is sent', async () => {
    const task = writeTask(temp.path(), fake().url, sentences(3), { endpoint: { headers_env: { 'x-org-key': 'ORG_KEY' } } });
    await expect(generateThrough(task, { FAKE_API_KEY: 'sk-test-secret' })).rejects.toThrow("endpoint 'fake' needs the header x-org-key: set the environment variable ORG_KEY");
    expect(fake().state.requests.filter((request) => request.path === '/v1/chat/completions')).toHaveLength(0);
  });
});
