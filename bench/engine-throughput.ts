/**
 * Evaluation throughput of the offline example's 720 requests (240 held-out queries × student, teacher and
 * untuned base) on vLLM vs the worker's transformers server, at concurrency 1 and 16. Needs the example's
 * prepared models and trained student (run `npm run example` first) and both environments. Prints wall time,
 * requests/s and p50 latency per engine and concurrency.
 *
 *   npx tsx bench/engine-throughput.ts [--run-dir runs/offline-mini] [--concurrency 1,16] [--limit 240]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPrompt } from '../src/data/chat-format.js';
import { answerWithVllm } from '../src/engines/vllm-answers.js';
import { ensureVllmPython } from '../src/engines/vllm-environment.js';
import { startVllmServer } from '../src/engines/vllm.js';
import type { ChatRequest } from '../src/engines/llamacpp.js';
import { startLocalServer, type LocalServer } from '../src/local-worker/local-server.js';
import { ensureWorkerPython } from '../src/local-worker/worker-environment.js';
import { workerDirectory } from '../src/local-worker/worker-location.js';

const { values } = parseArgs({ options: { 'run-dir': { type: 'string', default: 'runs/offline-mini' }, concurrency: { type: 'string', default: '1,16' }, limit: { type: 'string', default: '240' } } });
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'offline-mini');
const SYSTEM = 'Route the query to one of: docs, web, sql, chat. Answer with the label only.';
const models = { student: join(values['run-dir'], 'train', 'model'), teacher: join(EXAMPLE, 'models', 'teacher', 'model'), base: join(EXAMPLE, 'models', 'student-base') };
for (const [name, dir] of Object.entries(models)) if (!existsSync(join(dir, 'config.json'))) throw new Error(`no ${name} model at ${dir}: run \`npm run example\` first`);
const queries = readFileSync(join(EXAMPLE, 'data', 'test.jsonl'), 'utf8').trim().split('\n').slice(0, Number(values.limit)).map((line) => (JSON.parse(line) as { query: string }).query);
const requests: ChatRequest[] = queries.map((query, index) => ({ id: String(index), messages: buildPrompt({ system: SYSTEM }, query).messages, max_tokens: 4 }));

/** One server at a time (vLLM holds ~4 GB each); only the answering is timed, not the start-up. */
async function measure(engine: string, start: (model: string) => Promise<LocalServer>): Promise<void> {
  for (const concurrency of values.concurrency.split(',').map(Number)) {
    let total = 0;
    for (const model of Object.values(models)) {
      const server = await start(model);
      try {
        await answerWithVllm(server, 'model', requests.slice(0, 4), 1); // warm-up
        const begin = performance.now();
        await answerWithVllm(server, 'model', requests, concurrency);
        total += performance.now() - begin;
      } finally {
        await server.stop();
      }
    }
    const count = requests.length * Object.keys(models).length;
    console.log(`${engine.padEnd(12)} concurrency ${String(concurrency).padStart(2)}: ${count} requests in ${(total / 1000).toFixed(1)} s = ${((count * 1000) / total).toFixed(1)} requests/s`);
  }
}

const workerPython = await ensureWorkerPython();
const vllmPython = await ensureVllmPython();
await measure('transformers', (model) => startLocalServer({ python: workerPython, workerDir: workerDirectory(), model, servedName: 'model', device: 'cpu' }));
await measure('vllm', (model) => startVllmServer({ python: vllmPython, model, servedName: 'model' }));
