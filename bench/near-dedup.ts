/**
 * Near-dedup benchmark: our MinHash-LSH against Python datasketch on the same JFLEG-like corpus
 * with planted near-duplicate pairs.
 *
 *   npx tsx bench/near-dedup.ts [--n 1000000] [--python-n 200000] [--threshold 0.8] [--num-perm 128]
 *                               [--shingle word] [--size 1] [--workers N] [--python python3] [--skip-python]
 *
 * datasketch runs in a child process (`DATASKETCH_PYTHON` or --python picks the interpreter); when
 * --python-n is below --n it runs on the first python-n sentences and its time is extrapolated
 * linearly (both methods do constant work per sentence), which the table says.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNearDuplicatesParallel } from '../src/stages/curate/near-dedup/parallel-near-duplicates.js';
import type { ShingleKind } from '../src/stages/curate/near-dedup/shingles.js';
import { generateCorpus } from './near-dedup-corpus.js';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const n = Number(argument('n', '1000000'));
const pythonN = Math.min(n, Number(argument('python-n', String(n))));
const threshold = Number(argument('threshold', '0.8'));
const numPerm = Number(argument('num-perm', '128'));
const shingle = argument('shingle', 'word') as ShingleKind;
const size = Number(argument('size', '1'));
const python = argument('python', process.env.DATASKETCH_PYTHON ?? 'python3');
const skipPython = process.argv.includes('--skip-python');
/** Signing threads beside the main (LSH) thread; 0 signs in the main thread. */
const workers = Number(argument('workers', String(Math.max(0, availableParallelism() - 1))));

interface Row {
  method: string;
  n: number;
  seconds: number;
  peakRssMb: number;
  found: Array<[number, number]>;
  note?: string;
}

/** Exact shingle sets, the same definition as the hashed ones, to say which planted pairs are findable at all. */
function shingleSet(text: string): Set<string> {
  const lower = text.toLowerCase();
  if (shingle === 'word') {
    const words = lower.match(/[a-z0-9]+/g) ?? [];
    const width = Math.min(size, words.length);
    return new Set(words.slice(0, words.length - width + 1).map((_, index) => words.slice(index, index + width).join(' ')));
  }
  const compact = lower.replace(/\s+/g, ' ').trim();
  const width = Math.min(size, compact.length);
  return new Set(Array.from({ length: compact.length - width + 1 }, (_, index) => compact.slice(index, index + width)));
}

function jaccard(left: string, right: string): number {
  const a = shingleSet(left);
  const b = shingleSet(right);
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

function evaluate(row: Row, sentences: string[], pairs: Array<[number, number]>) {
  const inScope = pairs.filter(([, later]) => later < row.n);
  const planted = new Set(inScope.map(([earlier, later]) => `${earlier}:${later}`));
  const foundSet = new Set(row.found.map(([later, earlier]) => `${earlier}:${later}`));
  const hits = inScope.filter(([earlier, later]) => foundSet.has(`${earlier}:${later}`));
  const reachable = inScope.filter(([earlier, later]) => jaccard(sentences[earlier]!, sentences[later]!) >= threshold);
  const reachableHits = reachable.filter(([earlier, later]) => foundSet.has(`${earlier}:${later}`));
  const correct = row.found.filter(([later, earlier]) => planted.has(`${earlier}:${later}`)).length;
  const trulySimilar = row.found.filter(([later, earlier]) => jaccard(sentences[earlier]!, sentences[later]!) >= threshold).length;
  return {
    recall: hits.length / inScope.length,
    recallReachable: reachableHits.length / reachable.length,
    precision: row.found.length === 0 ? 1 : correct / row.found.length,
    precisionTrue: row.found.length === 0 ? 1 : trulySimilar / row.found.length,
    planted: inScope.length,
    reachable: reachable.length,
  };
}

async function runOurs(sentences: string[]): Promise<Row & { bands: number; rows: number }> {
  const start = performance.now();
  const result = await findNearDuplicatesParallel(sentences, { threshold, shingle, size, numPerm }, workers);
  const seconds = (performance.now() - start) / 1000;
  const found: Array<[number, number]> = [];
  result.duplicateOf.forEach((earlier, later) => {
    if (earlier >= 0) found.push([later, earlier]);
  });
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const method = `distillery (TS, ${result.workers === 0 ? 'main thread only' : `${result.workers} signing worker(s) + main`})`;
  return { method, n: sentences.length, seconds, peakRssMb, found, bands: result.bands, rows: result.rows };
}

function runDatasketch(sentences: string[], bands: number, rows: number): Row | string {
  const directory = mkdtempSync(join(tmpdir(), 'near-dedup-bench-'));
  const input = join(directory, 'sentences.txt');
  const output = join(directory, 'pairs.txt');
  writeFileSync(input, sentences.join('\n'));
  const script = fileURLToPath(new URL('./near-dedup-datasketch.py', import.meta.url));
  const args = [script, input, output, numPerm, bands, rows, threshold, shingle, size, pythonN].map(String);
  const child = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.error !== undefined || child.status !== 0) {
    if (/datasketch is not installed|No module named/.test(last + (child.stderr ?? ''))) {
      return `datasketch is not available to ${python}: install it with \`pip install datasketch\` (e.g. python3 -m venv .venv && .venv/bin/pip install datasketch, then --python .venv/bin/python)`;
    }
    return `datasketch run failed (${child.error?.message ?? `exit ${child.status}`}): ${(child.stderr ?? '').slice(-500)}`;
  }
  const summary = JSON.parse(last) as { n: number; seconds: number; peak_rss_mb: number };
  const found = readFileSync(output, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' ').map(Number) as [number, number]);
  return { method: 'datasketch (Python)', n: summary.n, seconds: summary.seconds, peakRssMb: summary.peak_rss_mb, found };
}

const format = (value: number, digits = 3) => value.toFixed(digits);

function printTable(rows: Row[], sentences: string[], pairs: Array<[number, number]>): void {
  console.log('| method | sentences | seconds | sentences/s | peak RSS (MB) | recall | recall (J≥t) | precision | precision (J≥t) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const quality = evaluate(row, sentences, pairs);
    const cells = [
      row.method,
      String(row.n),
      format(row.seconds, 1),
      String(Math.round(row.n / row.seconds)),
      String(Math.round(row.peakRssMb)),
      format(quality.recall),
      format(quality.recallReachable),
      format(quality.precision),
      format(quality.precisionTrue),
    ];
    console.log(`| ${cells.join(' | ')} |`);
    if (row.note !== undefined) console.log(`  ${row.note}`);
  }
}

const corpusStart = performance.now();
const { sentences, pairs } = generateCorpus(n);
console.log(`corpus: ${n} JFLEG-like sentences, ${pairs.length} planted near-duplicate pairs (${format((performance.now() - corpusStart) / 1000, 1)} s to generate)`);
console.log(`settings: threshold ${threshold}, num_perm ${numPerm}, ${shingle} shingles of ${size}, keep-first, candidates verified by estimated Jaccard`);
const ours = await runOurs(sentences);
console.log(`LSH: ${ours.bands} bands × ${ours.rows} rows (datasketch _optimal_param); load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
const rows: Row[] = [ours];
if (pythonN < n) {
  // Same subset for both rows, so quality and speed compare like with like.
  const subset = await runOurs(sentences.slice(0, pythonN));
  rows.push({ ...subset, method: `${subset.method}, subset` });
}
if (!skipPython) {
  const datasketch = runDatasketch(sentences, ours.bands, ours.rows);
  if (typeof datasketch === 'string') console.log(datasketch);
  else {
    if (datasketch.n < n) datasketch.note = `datasketch ran on the first ${datasketch.n} sentences; extrapolated to ${n}: ~${format((datasketch.seconds * n) / datasketch.n, 0)} s`;
    rows.push(datasketch);
    // Like for like: compare with our run on the same sentences datasketch saw.
    const same = rows.find((row) => row.n === datasketch.n) ?? ours;
    const speedup = same.n / same.seconds / (datasketch.n / datasketch.seconds);
    console.log(`throughput ratio on the same ${datasketch.n} sentences (ours / datasketch): ${format(speedup, 1)}×`);
  }
}
printTable(rows, sentences, pairs);
console.log(`(recall (J≥t) counts only planted pairs whose exact shingle Jaccard reaches the threshold; precision (J≥t) counts reported pairs with exact Jaccard ≥ threshold, planted or not; load average ${loadavg().map((load) => load.toFixed(1)).join(' ')})`);
