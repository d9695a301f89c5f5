import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/helpers/temp-dir.js';

const temp = useTempDir();
const ROWS = 1_000_000;
const HEAP_MB = 48;

describe('inputs stage memory', () => {
  it(`streams ${ROWS.toLocaleString('en')} rows through filter + dedup in a child process whose JS heap is capped at ${HEAP_MB} MB`, async () => {
    // The whole-file reader this replaced died of heap exhaustion on this file under the same cap (and peaked
    // at 810 MB RSS without one).
    const dir = temp.path();
    const file = openSync(join(dir, 'inputs.jsonl'), 'w');
    let chunk: string[] = [];
    for (let index = 0; index < ROWS; index++) {
      const input = index % 10 === 0 ? `short ${index}` : `this is generated sentence number ${index % 900_000} with a few more words`;
      chunk.push(JSON.stringify({ input }));
      if (chunk.length === 10_000) {
        writeSync(file, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    closeSync(file);
    writeFileSync(
      join(dir, 'task.yaml'),
      ['name: memory', 'endpoints: { fake: { base_url: "http://127.0.0.1:9/v1" } }', 'inputs: { path: inputs.jsonl, words: { min: 4 }, dedup: true }', 'teacher: { endpoint: fake, model: m }', ''].join('\n'),
    );
    const runDir = join(dir, 'run');
    const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, 'bin/distillery.js', 'run', join(dir, 'task.yaml'), '--run-dir', runDir, '--to', 'inputs'], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(child.stderr).not.toMatch(/heap out of memory/);
    expect(child.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(runDir, 'inputs', 'summary.json'), 'utf8')) as Record<string, number>;
    // Rows 900,000 … 999,999 repeat rows 0 … 99,999 (the short ones among them are filtered before dedup).
    expect(summary).toEqual({ rows: ROWS, kept: 810_000, filtered: 190_000, rejected: 0, duplicates: 90_000 });
    expect(await countLines(join(runDir, 'inputs', 'inputs.jsonl'))).toBe(810_000);
    expect(await countLines(join(runDir, 'inputs', 'filtered.jsonl'))).toBe(190_000);
  }, 180_000);
});

async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const _line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) lines++;
  return lines;
}
