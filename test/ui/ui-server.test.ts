import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uiCommandLine } from '../../src/cli/ui-command.js';
import { RunCatalog } from '../../src/ui/run-catalog.js';
import { createUiApp } from '../../src/ui/ui-app.js';
import { startUiServer } from '../../src/ui/ui-server.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { buildFixtureRun } from './fixture-run.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ATTACK = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe('the ui server', () => {
  const directory = useTempDir();

  it('is read-only, answers unknown runs and pages with 404, and never reaches outside its runs', async () => {
    buildFixtureRun(join(directory.path(), 'runs', 'one'));
    const app = createUiApp(new RunCatalog({ runsDir: join(directory.path(), 'runs') }));
    expect((await app.request('/runs/one')).status).toBe(200);
    expect((await app.request('/runs/one', { method: 'POST' })).status).toBe(405);
    expect((await app.request('/runs/one', { method: 'DELETE' })).status).toBe(405);
    expect((await app.request('/runs/two')).status).toBe(404);
    expect((await app.request('/runs/..%2F..%2Fetc/data/inputs')).status).toBe(404);
    expect((await app.request('/runs/one/data/passwd')).status).toBe(404);
    // Out-of-range query values fall back to defaults instead of failing.
    expect((await app.request('/runs/one/data/dropped?page=-3')).status).toBe(200);
    expect((await app.request('/runs/one/evaluation?class=bogus')).status).toBe(200);
    // A long search is searched for, not dropped.
    expect(await (await app.request(`/runs/one/data/dropped?q=${'x'.repeat(600)}`)).text()).toContain(`value="${'x'.repeat(600)}"`);
  });

  it('escapes what the data says on every page (no tag from a row survives)', async () => {
    const run = join(directory.path(), 'runs', 'hostile');
    buildFixtureRun(run);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(run, 'curate', 'dropped.jsonl'), `${JSON.stringify({ id: ATTACK, input: ATTACK, output: ATTACK, reason: ATTACK, detail: { ATTACK } })}\n`);
    appendFileSync(join(run, 'generate', 'outputs.jsonl'), `${JSON.stringify({ id: 'x', input: ATTACK, output: ATTACK, reasoning: ATTACK, finish_reason: ATTACK, truncated: false, usage: { prompt_tokens: 1, completion_tokens: 1 } })}\n`);
    const app = createUiApp(new RunCatalog({ runsDir: join(directory.path(), 'runs') }));
    for (const path of ['/runs/hostile/data/dropped', '/runs/hostile/data/dropped?page=2', `/runs/hostile/data/dropped?reason=${encodeURIComponent(ATTACK)}`, '/runs/hostile/data/outputs?page=3', '/runs/hostile/curation', `/runs/hostile/data/dropped?q=${encodeURIComponent(ATTACK)}`]) {
      const html = await (await app.request(path)).text();
      expect(html, path).not.toContain('<img');
      expect(html.match(/<script/g)?.length ?? 0, path).toBeLessThanOrEqual(0);
    }
    const filtered = await (await app.request(`/runs/hostile/data/dropped?reason=${encodeURIComponent(ATTACK)}`)).text();
    expect(filtered).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(filtered).toContain('of <span class="total">1</span>');
  });

  it('needs no token on loopback but refuses requests addressed to another host name', async () => {
    buildFixtureRun(join(directory.path(), 'local'));
    const server = await startUiServer({ catalog: new RunCatalog({ runDir: join(directory.path(), 'local') }), host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
      const page = await fetch(`${server.url}runs/local`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('marginal');
      // The first page of a single run is its overview.
      expect((await fetch(server.url, { redirect: 'manual' })).headers.get('location')).toBe('/runs/local');
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: server.port, path: '/runs/local', headers: { host: 'attacker.example:80' } }, (response) => resolve(response.statusCode ?? 0)).on('error', reject).end();
      });
      expect(status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('requires the token on any other address: by ?token= (kept as a cookie), by cookie, or bearer', async () => {
    buildFixtureRun(join(directory.path(), 'shared'));
    const server = await startUiServer({ catalog: new RunCatalog({ runDir: join(directory.path(), 'shared') }), host: '0.0.0.0', port: 0 });
    try {
      const token = new URL(server.url).searchParams.get('token')!;
      expect(token.length).toBeGreaterThan(20);
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/runs/shared`)).status).toBe(401);
      expect((await fetch(`${base}/runs/shared?token=wrong`)).status).toBe(401);
      const entry = await fetch(`${base}/runs/shared/data/dropped?reason=length&token=${token}`, { redirect: 'manual' });
      expect(entry.status).toBe(302);
      expect(entry.headers.get('location')).toBe('/runs/shared/data/dropped?reason=length');
      const cookie = entry.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect((await fetch(`${base}/runs/shared`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
      expect((await fetch(`${base}/runs/shared`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('distillery ui (the command)', () => {
  const directory = useTempDir();

  it('serves a run directory and prints where; a directory without a run is a clear error', async () => {
    const run = join(directory.path(), 'my run');
    buildFixtureRun(run);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'distillery.js'), 'ui', '--run-dir', run, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
          const match = /distillery ui: (http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.on('close', (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      const html = await (await fetch(url)).text();
      expect(html).toContain('the student keeps 83% of the teacher');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
    }
    const missing = spawn(process.execPath, [join(ROOT, 'bin', 'distillery.js'), 'ui', '--run-dir', join(directory.path(), 'nothing')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let error = '';
    missing.stderr.on('data', (chunk) => (error += chunk));
    expect(await new Promise((resolve) => missing.on('close', resolve))).not.toBe(0);
    expect(error).toContain('no run in');
  }, 60_000);

  it('prints a command line a shell reads back as one argument', () => {
    expect(uiCommandLine('runs/grammar')).toBe('distillery ui --run-dir runs/grammar');
    expect(uiCommandLine("runs/it's mine")).toBe(`distillery ui --run-dir 'runs/it'\\''s mine'`);
  });
});
