/**
 * Generation engine benchmark (issue: foundation and teacher generation). Prints its figures; not a test.
 *   npx tsx bench/generate-throughput.ts [--requests 100000] [--latency 100] [--repeats 3] [--rounds 40] [--provider-url URL]
 * The fake provider runs in its own process with a fixed latency, so this process's CPU time is the
 * client's alone: the whole generate stage (cache lookups and writes in SQLite, limiter, JSONL appends).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Agent, request as undiciRequest } from 'undici';
import { stringify } from 'yaml';
import { applyMemoryPolicy } from '../src/cli/memory-policy.js';
import { openRun } from '../src/pipeline/open-run.js';
import { runInputsStage } from '../src/stages/inputs/inputs-stage.js';
import { runGenerateStage } from '../src/stages/generate/generate-stage.js';

// The CLI's garbage-collection policy, so this process behaves as `distillery generate` does.
applyMemoryPolicy();

const { values } = parseArgs({ options: {
    requests: { type: 'string', default: '100000' },
    latency: { type: 'string', default: '100' },
    'provider-url': { type: 'string' },
    repeats: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '40' },
    'memory-only': { type: 'boolean', default: false },
  },
});
const repeats = Number(values.repeats);
const rounds = Number(values.rounds);
const latencyMs = Number(values.latency);
const memoryRequests = Number(values.requests);

async function startProvider(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'test', 'fake-provider', 'main.ts'), '--latency', String(latencyMs), '--no-record'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const { url } = JSON.parse(line) as { url: string };
  return { url, stop: () => child.kill('SIGTERM') };
}

async function runGeneration(url: string, requests: number, concurrency: number, sampleMemory: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-bench-'));
  writeFileSync(join(dir, 'inputs.jsonl'), Array.from({ length: requests }, (_, index) => JSON.stringify({ input: `bench sentence ${index} with a few words` })).join('\n'));
  writeFileSync(
    join(dir, 'task.yaml'),
    stringify({
      name: 'bench',
      endpoints: { fake: { base_url: url, timeout_s: 30 } },
      inputs: { path: 'inputs.jsonl' },
      teacher: { endpoint: 'fake', model: 'bench-model', max_tokens: 32, concurrency },
    }),
  );
  const run = openRun({ configPath: join(dir, 'task.yaml'), runDir: join(dir, 'run') });
  await runInputsStage(run.context);
  let peakRss = process.memoryUsage().rss;
  const samples: { done: number; rss: number; heap: number }[] = [];
  let done = 0;
  // Steady state: between 10% and 90% answered, free of the stage's start (reading inputs, first
  // connections) and end (rewriting outputs.jsonl in input order).
  const marks: { at: number; cpu: NodeJS.CpuUsage }[] = [];
  run.context.emit = (event) => {
    if (event.type !== 'stage-progress') return;
    done = event.done;
    if ((marks.length === 0 && done >= requests * 0.1) || (marks.length === 1 && done >= requests * 0.9)) marks.push({ at: performance.now(), cpu: process.cpuUsage() });
  };
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    if (sampleMemory) samples.push({ done, rss, heap: process.memoryUsage().heapUsed });
  }, 250);
  // How long a worker waits for its answer's commit before it takes the next input (crash safety's cost).
  const commitWaits: number[] = [];
  const committed = run.context.state.committed.bind(run.context.state);
  run.context.state.committed = async () => {
    const waitStarted = performance.now();
    await committed();
    commitWaits.push(performance.now() - waitStarted);
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const figures = await runGenerateStage(run.context);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  await run.close();
  rmSync(dir, { recursive: true, force: true });
  if (figures.answered !== requests) throw new Error(`only ${figures.answered}/${requests} answered`);
  const [from, to] = marks;
  const steady = from && to ? { rate: (requests * 0.8) / ((to.at - from.at) / 1000), cpuMsPerRequest: (to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system) / 1000 / (requests * 0.8) } : undefined;
  const commitWaitMs = commitWaits.reduce((total, wait) => total + wait, 0) / Math.max(1, commitWaits.length);
  return { seconds, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / requests, peakRss, samples, steady, commitWaitMs };
}

/**
 * The floor: undici's own `request` at 256 in flight against the same server, parsing each answer and
 * nothing else (no cache, no files, no Distillery code). CPU time per request on a shared VM moves with
 * its neighbours' load by ±30%; this row, measured in the same minute, says what plain HTTP costs here.
 */
async function bareHttpCpuMsPerRequest(url: string, requests = 20_000): Promise<number> {
  const agent = new Agent({ connections: 2048, keepAliveTimeout: 30_000 });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const index = next++;
      const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: `bench sentence ${index} with a few words` }], max_tokens: 32 });
      const response = await undiciRequest(`${url}/chat/completions`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body });
      JSON.parse(await response.body.text());
    }
  };
  await Promise.all(Array.from({ length: 256 }, worker)); // warm-up: connections and JIT
  next = 0;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: 256 }, worker));
  const used = process.cpuUsage(before);
  await agent.close();
  return (used.user + used.system) / 1000 / requests;
}

// --provider-url: a fake provider started elsewhere (another machine, or under a profiler).
const provider = values['provider-url'] === undefined ? await startProvider() : { url: values['provider-url'], stop: () => undefined };
try {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`fake provider latency ${latencyMs} ms, ${cpus().length} cores, Node ${process.version}`);
  console.log(`floor: bare undici.request + JSON.parse at 256 in flight costs ${(await bareHttpCpuMsPerRequest(provider.url)).toFixed(3)} ms CPU/request here now\n`);
  console.log(`Each concurrency: one warm-up run, then ${repeats} runs of ${rounds} rounds of requests; medians, with the range.`);
  console.log('Whole stage: from reading inputs to the rewritten outputs. Steady: between 10% and 90% answered.\n');
  console.log('| concurrency | requests | ideal req/s | ratio | steady ratio | client CPU ms/req | steady CPU ms/req | commit wait ms/answer |');
  console.log('|---|---|---|---|---|---|---|---|');
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cell = (values: number[]) => `${median(values).toFixed(3)} (${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
  for (const concurrency of values['memory-only'] ? [] : [8, 64, 256]) {
    const requests = concurrency * rounds;
    const ideal = concurrency / (latencyMs / 1000);
    await runGeneration(provider.url, requests, concurrency, false);
    const results = [];
    for (let repeat = 0; repeat < repeats; repeat++) results.push(await runGeneration(provider.url, requests, concurrency, false));
    const ratios = results.map((result) => requests / result.seconds / ideal);
    const steadyRatios = results.map((result) => (result.steady ? result.steady.rate / ideal : Number.NaN));
    const cpu = results.map((result) => result.cpuMsPerRequest);
    const steadyCpu = results.map((result) => result.steady?.cpuMsPerRequest ?? Number.NaN);
    const waits = results.map((result) => result.commitWaitMs);
    console.log(`| ${concurrency} | ${requests} | ${ideal.toFixed(0)} | ${cell(ratios)} | ${cell(steadyRatios)} | ${cell(cpu)} | ${cell(steadyCpu)} | ${cell(waits)} |`);
  }
  const memory = await runGeneration(provider.url, memoryRequests, 256, true);
  const steadyMemory = memory.steady ? `; steady ${(memory.steady.rate / (256 / (latencyMs / 1000))).toFixed(3)} of ideal, ${memory.steady.cpuMsPerRequest.toFixed(3)} ms/request` : '';
  console.log(`\nmemory over ${memoryRequests} requests at concurrency 256: peak RSS ${mb(memory.peakRss)} MB, ${memory.seconds.toFixed(1)} s, client CPU ${memory.cpuMsPerRequest.toFixed(3)} ms/request${steadyMemory}`);
  const checkpoints = [0.1, 0.25, 0.5, 0.75, 1].map((fraction) => memory.samples.find((sample) => sample.done >= fraction * memoryRequests * 0.999) ?? memory.samples.at(-1)!);
  console.log(`floor after the runs: ${(await bareHttpCpuMsPerRequest(provider.url)).toFixed(3)} ms CPU/request`);
  console.log(`RSS (V8 heap) by progress: ${checkpoints.map((sample) => `${sample.done} done → ${mb(sample.rss)} (${mb(sample.heap)}) MB`).join(', ')}`);
} finally {
  provider.stop();
}
