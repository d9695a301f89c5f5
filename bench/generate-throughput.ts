/**
 * Generation engine benchmark (issue: foundation and teacher generation). Prints its figures; not a test.
 *   npx tsx bench/generate-throughput.ts [--requests 100000] [--latency 100]
 * The fake provider runs in its own process with a fixed latency, so this process's CPU time is the
 * client's alone: the whole generate stage (cache lookups and writes in SQLite, limiter, JSONL appends).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { openRun } from '../src/pipeline/open-run.js';
import { runInputsStage } from '../src/stages/inputs/inputs-stage.js';
import { runGenerateStage } from '../src/stages/generate/generate-stage.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100000' }, latency: { type: 'string', default: '100' } } });
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
  run.context.emit = (event) => {
    if (event.type === 'stage-progress') done = event.done;
  };
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    if (sampleMemory) samples.push({ done, rss, heap: process.memoryUsage().heapUsed });
  }, 250);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const figures = await runGenerateStage(run.context);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  await run.close();
  rmSync(dir, { recursive: true, force: true });
  if (figures.answered !== requests) throw new Error(`only ${figures.answered}/${requests} answered`);
  return { seconds, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / requests, peakRss, samples };
}

const provider = await startProvider();
try {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`fake provider latency ${latencyMs} ms, 2-core machine, Node ${process.version}\n`);
  console.log('| concurrency | requests | seconds | req/s | ideal req/s | ratio | client CPU ms/req |');
  console.log('|---|---|---|---|---|---|---|');
  for (const concurrency of [8, 64, 256]) {
    const requests = concurrency * 25;
    const result = await runGeneration(provider.url, requests, concurrency, false);
    const ideal = concurrency / (latencyMs / 1000);
    const rate = requests / result.seconds;
    console.log(`| ${concurrency} | ${requests} | ${result.seconds.toFixed(2)} | ${rate.toFixed(0)} | ${ideal.toFixed(0)} | ${(rate / ideal).toFixed(3)} | ${result.cpuMsPerRequest.toFixed(3)} |`);
  }
  const memory = await runGeneration(provider.url, memoryRequests, 256, true);
  console.log(`\nmemory over ${memoryRequests} requests at concurrency 256: peak RSS ${mb(memory.peakRss)} MB, ${memory.seconds.toFixed(1)} s, client CPU ${memory.cpuMsPerRequest.toFixed(3)} ms/request`);
  const checkpoints = [0.1, 0.25, 0.5, 0.75, 1].map((fraction) => memory.samples.find((sample) => sample.done >= fraction * memoryRequests * 0.999) ?? memory.samples.at(-1)!);
  console.log(`RSS (V8 heap) by progress: ${checkpoints.map((sample) => `${sample.done} done → ${mb(sample.rss)} (${mb(sample.heap)}) MB`).join(', ')}`);
} finally {
  provider.stop();
}
