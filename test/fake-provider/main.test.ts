import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson } from './test-helpers.js';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));
const tsxPath = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
let child: ChildProcess | undefined;

let serverPid: number | undefined;

afterEach(() => {
  // tsx runs the server in a child process of its own: kill the printed pid, then the wrapper.
  if (serverPid !== undefined) {
    try {
      process.kill(serverPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (child?.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  serverPid = undefined;
});

async function launch(args: string[]): Promise<{ url: string; pid: number }> {
  child = spawn(tsxPath, [mainPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const started = JSON.parse(line) as { url: string; pid: number };
    serverPid = started.pid;
    return started;
  }
  throw new Error('the fake provider exited without printing its url');
}

describe('main.ts', () => {
  it('prints its url as one JSON line and serves with the configured latency and faults', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'fake-provider-'));
    const config = join(directory, 'faults.json');
    writeFileSync(config, JSON.stringify({ faults: [{ match: { nth: 1 }, kind: '429', retryAfter: 3 }] }));
    const { url, pid } = await launch(['--port', '0', '--latency', '100', '--config', config]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(pid).toEqual(expect.any(Number));
    const request = { model: 'm', messages: [{ role: 'user', content: 'ping' }] };
    const limited = await postJson(`${url}/chat/completions`, request);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    const started = Date.now();
    const answered = await postJson(`${url}/chat/completions`, request);
    expect(answered.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(postJson(`${url}/chat/completions`, request)).rejects.toThrow();
  });
});
