/**
 * The gateway's added latency: the same requests sent straight to a fake student with a fixed latency, and
 * through the gateway (auth, validation, metrics, a SQLite request log on disk), sequentially and with
 * concurrency. Prints p50/p99 of each and of the difference.
 *
 *   npx tsx bench/serve-overhead.ts [--requests 400] [--latency-ms 20] [--concurrency 1,16]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeProvider } from '../test/fake-provider/index.js';
import { HttpClient } from '../src/llm/http-client.js';
import { startGateway } from '../src/serve/gateway.js';
import { RequestLog } from '../src/serve/request-log.js';
import { serveSchema } from '../src/config/serve-config.js';
import { openDatabase } from '../src/store/database.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '400' }, 'latency-ms': { type: 'string', default: '20' }, concurrency: { type: 'string', default: '1,16' } } });
const requests = Number(values.requests);
const latencyMs = Number(values['latency-ms']);
const concurrencies = values.concurrency.split(',').map(Number);
const TOKEN = 'bench-token';

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function timeRequests(url: string, model: string, stream: boolean, concurrency: number): Promise<number[]> {
  const timings: number[] = [];
  let next = 0;
  const body = (index: number) => JSON.stringify({ model, stream, messages: [{ role: 'user', content: `she go to school every days (${index})` }] });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const index = next++;
        const started = performance.now();
        const response = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body(index) });
        await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        timings.push(performance.now() - started);
      }
    }),
  );
  return timings.sort((left, right) => left - right);
}

const student = await startFakeProvider({ latencyMs, answer: () => 'She goes to school every day.' });
const directory = mkdtempSync(join(tmpdir(), 'distillery-bench-'));
const database = openDatabase(join(directory, 'state.sqlite'));
const gateway = await startGateway({
  targets: { student: { http: new HttpClient({ baseURL: student.url }), model: 'student' }, fallback: { http: new HttpClient({ baseURL: student.url }), model: 'teacher' } },
  // The per-token caps stay on (their bookkeeping is part of the overhead) but high enough never to refuse.
  config: serveSchema.parse({ port: 0, limits: { concurrency: Math.max(...concurrencies), rpm: 1_000_000 } }),
  modelName: 'grammar',
  token: TOKEN,
  requestLog: new RequestLog(database),
});

const rows: string[][] = [];
for (const stream of [false, true]) {
  for (const concurrency of concurrencies) {
    await timeRequests(gateway.url, 'grammar', stream, concurrency); // warm-up
    const direct = await timeRequests(student.url, 'student', stream, concurrency);
    const through = await timeRequests(gateway.url, 'grammar', stream, concurrency);
    const format = (value: number) => value.toFixed(2);
    rows.push([
      stream ? 'stream' : 'json',
      String(concurrency),
      format(percentile(direct, 0.5)),
      format(percentile(through, 0.5)),
      format(percentile(through, 0.5) - percentile(direct, 0.5)),
      format(percentile(direct, 0.99)),
      format(percentile(through, 0.99)),
      format(percentile(through, 0.99) - percentile(direct, 0.99)),
    ]);
  }
}
await gateway.close();
await student.close();
database.close();
rmSync(directory, { recursive: true, force: true });

const header = ['mode', 'conc', 'direct p50', 'gateway p50', 'added p50', 'direct p99', 'gateway p99', 'added p99'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join('  ');
process.stdout.write(`gateway overhead, ms (${requests} requests each, fake student latency ${latencyMs} ms, node ${process.version})\n`);
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
