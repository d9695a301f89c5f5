/**
 * Inputs-stage benchmark: N generated rows (default 20M) through the real inputs stage with a word filter,
 * exact dedup and a reservoir sample, as a corpus-scale run would use it. Prints rows/s, peak RSS (the
 * kernel's high-water mark for this process) and the extrapolation to C4-200M's 185M rows.
 *
 *   npx tsx bench/inputs-stream.ts [--rows 20000000] [--sample 25000] [--keep]
 *
 * The file is written first (about 130 bytes a row, a fifth outside 3 < words < 40, ~8% repeats of an
 * earlier row) by a child process into a temporary folder, removed afterwards unless --keep.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMemoryPolicy } from '../src/cli/memory-policy.js';
import { openRun } from '../src/pipeline/open-run.js';
import { runInputsStage } from '../src/stages/inputs/inputs-stage.js';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const rows = Number(argument('rows', '20000000'));
const sampleSize = Number(argument('sample', '25000'));
const WORDS = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'and', 'runs', 'into', 'a', 'forest', 'where', 'many', 'trees', 'grow'];

function sentence(index: number): string {
  // Row i repeats row i - 1000 for ~8% of rows; word counts 1–45, so about a tenth fall outside 4–39.
  const source = index % 13 === 5 && index >= 1000 ? index - 1000 : index;
  const count = 1 + (Math.imul(source, 2654435761) >>> 0) % 45;
  const words: string[] = [`row${source}`];
  for (let word = 1; word < count; word++) words.push(WORDS[(source + word * 7) % WORDS.length]!);
  return words.join(' ');
}

if (process.argv.includes('--write-only')) {
  // Child mode: only write the file, so the measuring process's peak RSS is the stage's alone.
  writeRows(argument('path', ''));
  process.exit(0);
}

function writeRows(target: string): void {
  const file = openSync(target, 'w');
  let chunk: string[] = [];
  for (let index = 0; index < rows; index++) {
    chunk.push(JSON.stringify({ input: sentence(index) }));
    if (chunk.length === 20_000) {
      writeSync(file, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(file, `${chunk.join('\n')}\n`);
  closeSync(file);
}

const dir = mkdtempSync(join(tmpdir(), 'distillery-bench-inputs-'));
const path = join(dir, 'inputs.jsonl');
const writeStarted = performance.now();
const writer = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--write-only', '--rows', String(rows), '--path', path], { stdio: 'inherit' });
if (writer.status !== 0) throw new Error(`writing the rows failed (exit ${writer.status})`);
const bytes = statSync(path).size;
process.stderr.write(`wrote ${rows.toLocaleString('en')} rows (${(bytes / 1e9).toFixed(2)} GB) in ${((performance.now() - writeStarted) / 1000).toFixed(1)} s\n`);

writeFileSync(
  join(dir, 'task.yaml'),
  [
    'name: bench-inputs',
    'endpoints: { none: { base_url: "http://127.0.0.1:9/v1" } }',
    `inputs: { path: inputs.jsonl, words: { min: 4, max: 39 }, dedup: true, sample: { n: ${sampleSize}, seed: 1 } }`,
    'teacher: { endpoint: none, model: none }',
    '',
  ].join('\n'),
);
applyMemoryPolicy(); // as the CLI does: the stage runs under the same garbage-collection policy as `distillery run`
const rssBefore = process.resourceUsage().maxRSS;
const run = openRun({ configPath: join(dir, 'task.yaml'), runDir: join(dir, 'run'), emit: () => {}, environment: {} });
const load = loadavg()[0]!;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const figures = await runInputsStage(run.context);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
await run.close();
const peakMb = process.resourceUsage().maxRSS / 1024;
const rate = rows / seconds;
const result = {
  rows,
  file_gb: Number((bytes / 1e9).toFixed(2)),
  figures,
  seconds: Number(seconds.toFixed(1)),
  rows_per_second: Math.round(rate),
  // CPU seconds the stage used: on a shared machine, rows per CPU-second is what one free core would do.
  cpu_seconds: Number(cpuSeconds.toFixed(1)),
  rows_per_cpu_second: Math.round(rows / cpuSeconds),
  peak_rss_mb: Math.round(peakMb),
  peak_rss_before_stage_mb: Math.round(rssBefore / 1024),
  extrapolated_185m_minutes: Number((185e6 / rate / 60).toFixed(1)),
  extrapolated_185m_minutes_one_free_core: Number((185e6 / (rows / cpuSeconds) / 60).toFixed(1)),
  load_average_at_start: Number(load.toFixed(2)),
  cores: (await import('node:os')).availableParallelism(),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
