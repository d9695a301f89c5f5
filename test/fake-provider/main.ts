/**
 * Run the fake provider in its own process (benchmarks, kill -9 resume tests):
 *   npx tsx test/fake-provider/main.ts --port 0 --latency 100 [--config faults.json] [--api-key KEY]
 * Prints one JSON line `{"url": "...", "port": N, "pid": N}` once listening; SIGTERM/SIGINT close it.
 * `pid` is the server process itself: tsx runs the script in a child process, so kill -9 the printed pid
 * (killing only the tsx wrapper can leave the server running).
 * The config file holds JSON options of startFakeProvider (no functions): e.g.
 *   {"faults": [{"match": {"nth": [1, 2]}, "kind": "429", "retryAfter": 1}], "rateLimit": {"rpm": 100},
 *    "batchShape": "nebius", "fineTuningFlavor": "together", "batch": {"pollsPerStatus": 2}}
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeProvider, type FakeProviderOptions } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    latency: { type: 'string', default: '0' },
    config: { type: 'string' },
    'api-key': { type: 'string' },
    'no-record': { type: 'boolean', default: false },
  },
});

const config = values.config === undefined ? {} : (JSON.parse(readFileSync(values.config, 'utf8')) as FakeProviderOptions);
const provider = await startFakeProvider({
  ...config,
  port: Number(values.port),
  latencyMs: Number(values.latency) || config.latencyMs,
  recordRequests: !values['no-record'],
  ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
});
process.stdout.write(`${JSON.stringify({ url: provider.url, port: provider.port, pid: process.pid })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void provider.close().then(() => process.exit(0));
  });
}
