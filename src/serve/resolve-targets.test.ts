import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTask } from '../config/load.js';
import { NoStudentError, resolveServeTargets, type LocalStudentRequest } from './resolve-targets.js';
import { serveSchema } from '../config/serve-config.js';
import { HttpClient } from '../llm/http-client.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function setUp(serve = ''): { task: ReturnType<typeof loadTask>; runDir: string } {
  const directory = mkdtempSync(join(tmpdir(), 'distillery-targets-'));
  directories.push(directory);
  const config = join(directory, 'task.yaml');
  writeFileSync(
    config,
    [
      'name: router',
      'endpoints: { remote: { base_url: "http://127.0.0.1:9/v1" }, other: { base_url: "http://127.0.0.1:10/v1" } }',
      'inputs: { path: inputs.jsonl }',
      'teacher: { endpoint: remote, model: big-teacher, max_tokens: 77, system: "Route it." }',
      'student: { base: tiny-base, trainer: local, assistant_prefix: "<think>\\n\\n</think>\\n\\n" }',
      serve,
      '',
    ].join('\n'),
  );
  const runDir = join(directory, 'run');
  mkdirSync(join(runDir, 'train'), { recursive: true });
  return { task: loadTask(config), runDir };
}

describe('resolveServeTargets', () => {
  it('starts the local worker for a run with an adapter, and stops it on close', async () => {
    const { task, runDir } = setUp();
    mkdirSync(join(runDir, 'train', 'adapter'));
    writeFileSync(join(runDir, 'train', 'metrics.json'), JSON.stringify({ method: 'lora', base_model: 'tiny-base', served_model: null, adapter_dir: join(runDir, 'train', 'adapter') }));
    const started: LocalStudentRequest[] = [];
    let stopped = false;
    const targets = await resolveServeTargets({
      task,
      runDir,
      serve: serveSchema.parse({}),
      startLocalStudent: async (request) => {
        started.push(request);
        return { http: new HttpClient({ baseURL: 'http://127.0.0.1:7777/v1' }), model: 'student', close: async () => void (stopped = true) };
      },
    });
    expect(started).toEqual([{ base: 'tiny-base', adapterDir: join(runDir, 'train', 'adapter'), adapterName: 'student' }]);
    expect(targets.student).toMatchObject({ model: 'student', prompt: { assistantPrefix: '<think>\n\n</think>\n\n' } });
    expect(targets.student.http.baseURL).toBe('http://127.0.0.1:7777/v1');
    expect(targets.fallback).toMatchObject({ model: 'big-teacher', maxTokens: 77, prompt: { system: 'Route it.' } });
    await targets.close?.();
    expect(stopped).toBe(true);
  });

  it('uses serve.student and serve.fallback when given, forwarding messages as sent if asked', async () => {
    const { task, runDir } = setUp('serve: { student: { endpoint: other, model: s1 }, fallback: { endpoint: remote, model: f1 }, messages: as_sent }');
    const targets = await resolveServeTargets({ task, runDir, serve: serveSchema.parse(task.config.serve) });
    expect(targets.student.http.baseURL).toBe('http://127.0.0.1:10/v1');
    expect(targets.student.model).toBe('s1');
    expect(targets.student.prompt).toBeUndefined();
    expect(targets.fallback.model).toBe('f1');
    expect(targets.fallback.prompt).toBeUndefined();
  });

  it('says so when the run has no trained student', async () => {
    const { task, runDir } = setUp();
    await expect(resolveServeTargets({ task, runDir, serve: serveSchema.parse({}) })).rejects.toThrow(NoStudentError);
  });
});
