import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../../test/fake-provider/index.js';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { runDoctor } from './doctor-command.js';
import { doctorTable } from './doctor/doctor-check.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('distillery doctor', () => {
  it('on this machine: keys by name only, GET /models per endpoint with its key, engines, GPU, memory, disk, each gap with its fix', async () => {
    provider = await startFakeProvider({ apiKey: 'sk-doctor-secret', models: ['teacher-model', 'student-model'] });
    const dir = temp.path();
    const config = join(dir, 'task.yaml');
    writeFileSync(join(dir, 'in.jsonl'), '{"input":"x"}\n');
    writeFileSync(
      config,
      stringify({
        name: 'doctor',
        endpoints: { fake: { base_url: provider.url, api_key_env: 'DOCTOR_TEST_KEY' }, gone: { base_url: `http://127.0.0.1:${await closedPort()}/v1` } },
        inputs: { path: 'in.jsonl' },
        teacher: { endpoint: 'fake', model: 'teacher-model' },
      }),
    );

    const withKey = await runDoctor(config, { ...process.env, DOCTOR_TEST_KEY: 'sk-doctor-secret' }, 3000);
    const byName = new Map(withKey.map((check) => [check.name, check]));
    expect(byName.get('DOCTOR_TEST_KEY')).toMatchObject({ area: 'keys', status: 'ok', detail: 'set (endpoint fake)' });
    expect(byName.get('fake')).toMatchObject({ area: 'endpoints', status: 'ok' });
    expect(byName.get('fake')!.detail).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/models: HTTP 200 \(\d+ ms, 2 models listed\)/);
    expect(byName.get('gone')).toMatchObject({ status: 'missing', detail: expect.stringMatching(/ECONNREFUSED/), fix: expect.stringMatching(/unreachable/) });
    expect(provider.state.requests.find((request) => request.path === '/v1/models')?.headers.authorization).toBe('Bearer sk-doctor-secret');
    for (const name of ['worker environment', 'vllm', 'llama.cpp', 'GPU', 'memory', 'environments']) expect(byName.has(name), name).toBe(true);
    // What this machine has decides the status; a check that is not ok always says what to do.
    for (const check of withKey) if (check.status !== 'ok') expect(check.fix, check.name).toBeTruthy();
    const table = doctorTable(withKey);
    expect(table).not.toContain('sk-doctor-secret');
    expect(table).toMatch(/^area +check +status +found +fix\n/);

    const { DOCTOR_TEST_KEY: _unset, ...without } = { ...process.env, DOCTOR_TEST_KEY: '' };
    const withoutKey = new Map((await runDoctor(config, without, 3000)).map((check) => [check.name, check]));
    expect(withoutKey.get('DOCTOR_TEST_KEY')).toMatchObject({ status: 'missing', fix: expect.stringContaining('export DOCTOR_TEST_KEY=') });
    expect(withoutKey.get('fake')).toMatchObject({ status: 'missing', detail: expect.stringMatching(/HTTP 401/), fix: expect.stringContaining('DOCTOR_TEST_KEY') });
  }, 60_000);

  it('without a config: the well-known key variables, by name', async () => {
    const checks = await runDoctor(undefined, { PATH: process.env.PATH, NEBIUS_API_KEY: 'sk-x' }, 1000);
    expect(checks.filter((check) => check.area === 'keys').map((check) => [check.name, check.status])).toEqual([
      ['OPENAI_API_KEY', 'info'],
      ['NEBIUS_API_KEY', 'ok'],
      ['TOGETHER_API_KEY', 'info'],
      ['HF_TOKEN', 'info'],
    ]);
    expect(JSON.stringify(checks)).not.toContain('sk-x');
  });
});
