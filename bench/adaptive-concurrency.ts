/**
 * Adaptive concurrency benchmark (issue 10, item 7). Prints its figures; not a test.
 *   npx tsx bench/adaptive-concurrency.ts [--requests 1000] [--scale 1] [--cap 16]
 * Two runs of ModelClient (the client every stage uses) against the in-process fake provider:
 * 1. rate-bound: latency 3 s, `rpm: 600`, 2% random 429s (Retry-After 1 s), `concurrency: 64`. The rate limit
 *    allows 10 requests/s; the run must reach ≥ 0.9 of that.
 * 2. capped: the provider answers 429 at once above `--cap` requests in flight (latency 3 s, no rpm,
 *    `concurrency: 64`); the limit must settle just under the cap.
 * `--scale 0.1` divides every duration by 10 (latency 300 ms, Retry-After 100 ms, rpm 6,000, backoff
 * 50 ms) so a check takes seconds; the figures are reported in the scaled units and as ratios.
 */
import { parseArgs } from 'node:util';
import { startFakeProvider } from '../test/fake-provider/index.js';
import { HttpClient } from '../src/llm/http-client.js';
import { ModelClient, type ClientEvent } from '../src/llm/model-client.js';

const { values } = parseArgs({ options: {
  requests: { type: 'string', default: '1000' },
  scale: { type: 'string', default: '1' },
  cap: { type: 'string', default: '16' },
} });
const requests = Number(values.requests);
const scale = Number(values.scale);
const cap = Number(values.cap);
const latencyMs = 3000 * scale;

interface Figures {
  seconds: number;
  perSecond: number;
  failed: number;
  rateLimited: number;
  lowestLimit: number;
  finalLimit: number;
  /** Mean limit over the second half of the run, sampled every 1/30 of the latency. */
  settledLimit: number;
}

async function run(name: string, provider: { rpm?: number; maxInFlight?: number; randomRateLimits?: number }): Promise<Figures> {
  const fake = await startFakeProvider({
    latencyMs,
    recordRequests: false,
    maxInFlight: provider.maxInFlight,
    faults: provider.randomRateLimits === undefined ? [] : [{ match: { rate: provider.randomRateLimits, seed: 42 }, kind: '429', retryAfterMs: 1000 * scale }],
  });
  let rateLimited = 0;
  let lowestLimit = 64;
  const onEvent = (event: ClientEvent): void => {
    if (event.type === 'request-retried' && event.status === 429) rateLimited++;
    if (event.type === 'concurrency-changed') lowestLimit = Math.min(lowestLimit, event.limit);
  };
  const client = new ModelClient({
    http: new HttpClient({ baseURL: fake.url, timeoutMs: 60_000 }),
    concurrency: 64,
    rpm: provider.rpm === undefined ? undefined : provider.rpm / scale,
    retry: { baseDelayMs: 500 * scale, maxDelayMs: 60_000 * scale },
    onEvent,
  });
  const samples: { at: number; limit: number }[] = [];
  const started = performance.now();
  const sampler = setInterval(() => samples.push({ at: performance.now() - started, limit: client.concurrency.limit }), latencyMs / 30);
  let failed = 0;
  await Promise.all(
    Array.from({ length: requests }, (_, index) =>
      client.complete({ model: 'bench', messages: [{ role: 'user', content: `request ${index}` }], max_tokens: 8 }, { useCache: false }).catch(() => failed++),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await fake.close();
  const secondHalf = samples.filter((sample) => sample.at >= (seconds * 1000) / 2);
  const settledLimit = secondHalf.reduce((sum, sample) => sum + sample.limit, 0) / Math.max(1, secondHalf.length);
  const figures = { seconds, perSecond: (requests - failed) / seconds, failed, rateLimited, lowestLimit, finalLimit: client.concurrency.limit, settledLimit };
  console.log(`${name}: ${JSON.stringify(figures, (_key, value: unknown) => (typeof value === 'number' ? Math.round(value * 100) / 100 : value))}`);
  return figures;
}

console.log(`adaptive concurrency: ${requests} requests, latency ${latencyMs} ms, concurrency 64, scale ${scale}`);
const rateBound = await run('rate-bound (rpm 600, 2% random 429s)', { rpm: 600, randomRateLimits: 0.02 });
const bound = 600 / 60 / scale;
console.log(`  throughput ${rateBound.perSecond.toFixed(2)}/s of a ${bound}/s rate-limit bound = ${(rateBound.perSecond / bound).toFixed(3)} (target ≥ 0.9)`);
const capped = await run(`capped (429 above ${cap} in flight)`, { maxInFlight: cap });
const cappedBound = cap / (latencyMs / 1000);
console.log(`  settled limit ${capped.settledLimit.toFixed(2)} for a cap of ${cap}; throughput ${capped.perSecond.toFixed(2)}/s of ${cappedBound.toFixed(2)}/s = ${(capped.perSecond / cappedBound).toFixed(3)}`);
