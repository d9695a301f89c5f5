import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ensureVllmPython } from '../../src/engines/vllm-environment.js';
import { startVllmServer, VllmServerError, type VllmServer } from '../../src/engines/vllm.js';
import { HttpClient } from '../../src/llm/http-client.js';
import { startLocalServer, type LocalServer } from '../../src/local-worker/local-server.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { workerDirectory } from '../../src/local-worker/worker-location.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { comparable, greedy, makeTinyAdapter, makeTinyModel, PROMPTS } from './tiny-models.js';

/**
 * vLLM's own OpenAI-compatible server (CPU build here), started and stopped by Distillery, against the
 * worker's transformers server on the same tiny model and LoRA adapter. Both environments are installed
 * by the project (.ci/run creates them before the tests), so a missing one is installed, never skipped.
 */
const suiteDir = useSuiteTempDir();
let root: string;
let model: string;
let adapter: string;
let vllm: VllmServer | undefined;
let transformers: LocalServer | undefined;

beforeAll(async () => {
  const [workerPython, vllmPython] = await Promise.all([ensureWorkerPython(), ensureVllmPython()]);
  root = join(suiteDir(), 'engines');
  model = await makeTinyModel(workerPython, join(root, 'tiny'));
  adapter = await makeTinyAdapter(workerPython, model, join(root, 'adapter'));
  [vllm, transformers] = await Promise.all([
    startVllmServer({ python: vllmPython, model, servedName: 'tiny', adapters: { shout: adapter }, logFile: join(root, 'vllm.log'), environment: { ...process.env, CUDA_VISIBLE_DEVICES: '' } }),
    startLocalServer({ python: workerPython, workerDir: workerDirectory(), model, servedName: 'tiny', adapters: { shout: adapter }, device: 'cpu' }),
  ]);
}, 1_800_000);

afterAll(async () => {
  await Promise.all([vllm?.stop(), transformers?.stop()]);
}, 60_000);

describe('the vLLM engine', () => {
  it('serves the base and its LoRA adapter with the same greedy answers as the transformers server', async () => {
    const names = await vllm!.http.json('GET', '/models', z.object({ data: z.array(z.object({ id: z.string() })) }));
    expect(names.data.data.map((entry) => entry.id).sort()).toEqual(['shout', 'tiny']);
    let adapterChanged = 0;
    for (const prompt of PROMPTS) {
      const [base, lora] = [await greedy(vllm!.http, 'tiny', prompt), await greedy(vllm!.http, 'shout', prompt)];
      expect(comparable(base)).toBe(comparable(await greedy(transformers!.http, 'tiny', prompt)));
      expect(comparable(lora)).toBe(comparable(await greedy(transformers!.http, 'shout', prompt)));
      if (lora !== base) adapterChanged += 1;
    }
    // The adapter is really applied: it changes the answers.
    expect(adapterChanged).toBeGreaterThan(0);
  }, 300_000);

  it('is bound to 127.0.0.1 and refuses a request without its API key', async () => {
    expect(vllm!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const anonymous = new HttpClient({ baseURL: vllm!.url });
    await expect(greedy(anonymous, 'tiny', 'hello')).rejects.toMatchObject({ status: 401 });
  }, 60_000);

  it('batches concurrent requests: vLLM runs many of 16 concurrent requests in the same engine steps', async () => {
    // Read from vLLM's own histogram of tokens per engine step, not from wall time or a sampled gauge: on a
    // shared 2-core machine both say more about the neighbours than about batching (bench/engine-throughput.ts
    // measures the speed-up). One request at a time, a decode step carries one token.
    const metrics = new HttpClient({ baseURL: vllm!.url.replace(/\/v1$/, '') });
    const stepTotals = async (): Promise<{ tokens: number; steps: number }> => {
      const text = await metrics.text('/metrics');
      const total = (series: string): number => {
        const values = [...text.matchAll(new RegExp(`^vllm:iteration_tokens_total_${series}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))].map((match) => Number(match[1]));
        if (values.length === 0) throw new Error(`vLLM /metrics has no vllm:iteration_tokens_total_${series}`);
        return values.reduce((sum, value) => sum + value, 0);
      };
      return { tokens: total('sum'), steps: total('count') };
    };
    const fixed = { max_tokens: 64, min_tokens: 64 };
    const before = await stepTotals();
    const answers = await Promise.all(Array.from({ length: 16 }, (_, index) => greedy(vllm!.http, 'tiny', PROMPTS[index % PROMPTS.length]!, fixed)));
    const after = await stepTotals();
    const perStep = (after.tokens - before.tokens) / (after.steps - before.steps);
    console.log(`vLLM, 16 concurrent requests of 64 tokens: ${after.steps - before.steps} engine steps, ${perStep.toFixed(1)} tokens a step`);
    expect(answers).toHaveLength(16);
    expect(perStep).toBeGreaterThanOrEqual(4);
  }, 300_000);

  it('answers concurrent prompt_logprobs requests with LoRA enabled (they run one at a time)', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) => greedy(vllm!.http, index % 2 === 0 ? 'shout' : 'tiny', PROMPTS[index]!, { prompt_logprobs: 1, max_tokens: 2 })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(6).fill('fulfilled'));
    expect(comparable(await greedy(vllm!.http, 'tiny', PROMPTS[0]!))).toBe(comparable(await greedy(transformers!.http, 'tiny', PROMPTS[0]!)));
  }, 300_000);

  it('loads another adapter into the running server', async () => {
    await vllm!.loadAdapter('shout-again', adapter);
    expect(await greedy(vllm!.http, 'shout-again', PROMPTS[1]!)).toBe(await greedy(vllm!.http, 'shout', PROMPTS[1]!));
  }, 120_000);

  it('stops: the server and its engine processes are gone', async () => {
    const url = vllm!.url;
    await vllm!.stop();
    vllm = undefined;
    await expect(fetch(url.replace(/\/v1$/, '/health'))).rejects.toThrow();
  }, 60_000);

  it('reports a server that dies before it is ready with the tail of its log', async () => {
    const broken = join(suiteDir(), 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'config.json'), JSON.stringify({ model_type: 'no-such-architecture', architectures: ['NoSuchModel'] }));
    const started = startVllmServer({ python: await ensureVllmPython(), model: broken, startTimeoutMs: 600_000, environment: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
    const error = (await started.then(async (server) => (await server.stop(), undefined)).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(VllmServerError);
    expect(error.message).toMatch(/vLLM server for .*broken exited \(code [1-9]\d*\) before it was ready; its last lines:\n/);
    expect(error.message).toMatch(/no-such-architecture|NoSuchModel/);
  }, 600_000);
});

