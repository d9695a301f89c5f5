import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerServe } from '../../src/cli/serve-command.js';
import { ensureVllmPython } from '../../src/engines/vllm-environment.js';
import { startVllmServer, type VllmServerOptions } from '../../src/engines/vllm.js';
import { createChatCompletion } from '../../src/llm/chat.js';
import { streamChatDeltas } from '../../src/llm/chat-stream.js';
import { LocalModels } from '../../src/local-worker/local-models.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { workerDirectory } from '../../src/local-worker/worker-location.js';
import { openDatabase } from '../../src/store/database.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeTinyAdapter, makeTinyModel, PROMPTS } from './tiny-models.js';

/**
 * vLLM (CPU build) behind Distillery: several names of one base model are served by exactly one vLLM
 * process, and answers stream (chunks before the end, usage last) through the client and through
 * `distillery serve`. Both environments are installed by the project, never skipped.
 */
const suiteDir = useSuiteTempDir();
const NO_GPU = { ...process.env, CUDA_VISIBLE_DEVICES: '' };
let workerPython: string;
let vllmPython: string;
let model: string;
let adapter: string;

beforeAll(async () => {
  [workerPython, vllmPython] = await Promise.all([ensureWorkerPython(), ensureVllmPython()]);
  model = await makeTinyModel(workerPython, join(suiteDir(), 'tiny'));
  adapter = await makeTinyAdapter(workerPython, model, join(suiteDir(), 'adapter'));
}, 1_800_000);

/**
 * vLLM OpenAI servers running for `weights` now, from the process table: each is the leader of its own
 * process group (Distillery starts it detached), so engine processes forked from it are not counted again.
 */
function vllmServersFor(weights: string): number {
  const table = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return table.split('\n').filter((line) => {
    const [pid, pgid] = line.trim().split(/\s+/, 2);
    return pid === pgid && line.includes('vllm.entrypoints.openai.api_server') && line.includes(`--model ${weights} `);
  }).length;
}

let messages = [{ role: 'user' as const, content: PROMPTS[0]! }];
let studentAnswer: string | undefined;
const GREEDY = { max_tokens: 24, temperature: 0 };

describe('vLLM: one server per base model, streaming through the client', () => {
  const starts: VllmServerOptions[] = [];
  let models: LocalModels;
  afterAll(() => models?.stopAll(), 120_000);

  it('the student adapter, the untuned base and the base under a second name start exactly one vLLM process', async () => {
    models = new LocalModels({ python: async () => workerPython, vllmPython: async () => vllmPython, workerDir: workerDirectory(), engine: 'vllm', environment: NO_GPU, logFile: join(suiteDir(), 'local-models.log'), startVllm: (options) => (starts.push(options), startVllmServer(options)) });
    // As the pipeline does once training has made the adapter (pipeline/local-endpoint.ts alias()).
    models.expectAdapters(model);
    const base = await models.serve(model, 'base');
    const student = await models.serve(model, model, { name: 'student', dir: adapter });
    const untuned = await models.serve(model, 'untuned');
    expect(starts).toHaveLength(1);
    expect(vllmServersFor(model)).toBe(1);
    expect(student).toBe(base);
    expect(untuned).toBe(base);
    const answer = async (name: string, prompt: string): Promise<string> => (await createChatCompletion(base.http, { model: name, messages: [{ role: 'user', content: prompt }], ...GREEDY })).content;
    let adapterChanged = 0;
    for (const prompt of PROMPTS) {
      const [asBase, asUntuned, asStudent] = [await answer('base', prompt), await answer('untuned', prompt), await answer('student', prompt)];
      expect(asUntuned).toBe(asBase);
      if (asStudent !== asBase) adapterChanged += 1;
    }
    expect(adapterChanged).toBeGreaterThan(0);
  }, 1_200_000);

  it('streams: content chunks arrive before the end, their text is the non-streamed greedy answer, usage comes last', async () => {
    const server = await models.serve(model, model, { name: 'student', dir: adapter });
    // A prompt the student answers at full length (greedy, so the same every time): many tokens to stream.
    for (const prompt of PROMPTS) {
      const candidate = [{ role: 'user' as const, content: prompt }];
      if ((await createChatCompletion(server.http, { model: 'student', messages: candidate, ...GREEDY })).finishReason === 'length') {
        messages = candidate;
        break;
      }
    }
    const whole = await createChatCompletion(server.http, { model: 'student', messages, ...GREEDY });
    expect(whole.finishReason).toBe('length');
    studentAnswer = whole.content;
    const arrivals: { at: number; content: string; usage: boolean; finish: string | null }[] = [];
    for await (const delta of streamChatDeltas(server.http, { model: 'student', messages, ...GREEDY })) {
      arrivals.push({ at: performance.now(), content: delta.content, usage: delta.usage !== null, finish: delta.finishReason });
    }
    const contentChunks = arrivals.filter((arrival) => arrival.content !== '');
    expect(contentChunks.length).toBeGreaterThan(4);
    expect(contentChunks[0]!.at).toBeLessThan(arrivals.at(-1)!.at);
    expect(arrivals.map((arrival) => arrival.content).join('')).toBe(whole.content);
    expect(arrivals.at(-1)!.usage).toBe(true);
    expect(arrivals.findIndex((arrival) => arrival.usage)).toBe(arrivals.length - 1);
    expect(whole.usage.completion_tokens).toBe(24);
    expect(starts).toHaveLength(1);
  }, 600_000);
});

describe('distillery serve with a vLLM-served student', () => {
  let provider: FakeProvider;
  afterAll(() => provider?.close());

  it('streams the student\'s answer through the gateway (no fallback): chunks before the end, the non-streamed text, usage last', async () => {
    provider = await startFakeProvider({ answer: () => 'TEACHER' });
    const dir = join(suiteDir(), 'serve');
    const runDir = join(dir, 'run');
    mkdirSync(join(runDir, 'train'), { recursive: true });
    cpSync(adapter, join(runDir, 'train', 'adapter'), { recursive: true });
    writeFileSync(join(runDir, 'train', 'metrics.json'), JSON.stringify({ trainer: 'local', method: 'lora', base_model: model, served_model: null, adapter_dir: join(runDir, 'train', 'adapter') }));
    openDatabase(join(runDir, 'state.sqlite')).close();
    const config = join(dir, 'task.yaml');
    writeFileSync(config, [
      'name: vllm-gateway',
      'engine: vllm',
      `endpoints: { fake: { base_url: "${provider.url}" } }`,
      'inputs: { path: inputs.jsonl }',
      'teacher: { endpoint: fake, model: teacher-model }',
      `student: { base: "${model}", trainer: local, method: lora }`,
      'serve: { port: 0, messages: as_sent }',
      '',
    ].join('\n'));
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    vi.stubEnv('DISTILLERY_SERVE_TOKEN', 'client-token');
    vi.stubEnv('CUDA_VISIBLE_DEVICES', '');
    const program = new Command().exitOverride();
    registerServe(program);
    const serving = program.parseAsync(['node', 'distillery', 'serve', config, '--run-dir', runDir]);
    try {
      await vi.waitFor(() => expect(lines.join('')).toMatch(/serving vllm-gateway at/), { timeout: 900_000, interval: 500 });
      const url = /at (http:\/\/\S+\/v1)/.exec(lines.join(''))![1]!;
      expect(vllmServersFor(model)).toBe(1);
      const ask = (stream: boolean) => fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer client-token', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'vllm-gateway', messages, max_tokens: 24, temperature: 0, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
      });
      const plain = await ask(false);
      expect(plain.headers.get('x-distillery-served-by')).toBe('student');
      const plainBody = (await plain.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
      const whole = plainBody.choices[0]!.message.content;
      // The same weights and prompt as the student above, on the server `distillery serve` started.
      if (studentAnswer !== undefined) expect(whole).toBe(studentAnswer);

      const streamed = await ask(true);
      expect(streamed.headers.get('x-distillery-served-by')).toBe('student');
      const events: { at: number; data: string }[] = [];
      const decoder = new TextDecoder();
      let pending = '';
      for await (const bytes of streamed.body!) {
        pending += decoder.decode(bytes, { stream: true });
        const parts = pending.split('\n\n');
        pending = parts.pop()!;
        for (const part of parts) if (part.startsWith('data: ')) events.push({ at: performance.now(), data: part.slice(6) });
      }
      expect(events.at(-1)!.data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map((event) => ({ at: event.at, chunk: JSON.parse(event.data) as { choices: { delta?: { content?: string } }[]; usage?: { completion_tokens: number } | null } }));
      const withContent = chunks.filter((entry) => entry.chunk.choices[0]?.delta?.content);
      expect(withContent.length).toBeGreaterThan(4);
      expect(withContent[0]!.at).toBeLessThan(events.at(-1)!.at);
      expect(chunks.map((entry) => entry.chunk.choices[0]?.delta?.content ?? '').join('')).toBe(whole);
      expect(chunks.at(-1)!.chunk.usage?.completion_tokens).toBe(plainBody.usage.completion_tokens);
      expect(chunks.slice(0, -1).every((entry) => !entry.chunk.usage)).toBe(true);
      expect(provider.state.requests.filter((request) => request.path.endsWith('/chat/completions'))).toEqual([]);
    } finally {
      process.emit('SIGTERM');
      await serving.catch(() => undefined);
      stderr.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(vllmServersFor(model)).toBe(0);
  }, 1_200_000);
});
