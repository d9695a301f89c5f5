/**
 * GGUF export types on the test model (issue 12). Prints its figures; not a test.
 *   npx tsx bench/gguf-quants.ts [--items 40] [--types f16,q8_0,q4_k_m,...] [--keep DIR]
 * Builds the export tests' fully fine-tuned tiny student (2 layers × 128, 4-label task), then exports it
 * with each GGUF type (and LoRA-only from a trained LoRA student) and prints, per type: the file size, the
 * tensor types llama.cpp really wrote, the agreement with the trained student on the evaluation items, and
 * the task metric of both. Each export is verified by llama.cpp answering, as `distillery export` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GGUF_TYPES, isGgufType, type GgufType } from '../src/engines/llamacpp-quantize.js';
import { runExport, type ExportRecord } from '../src/export/run-export.js';
import { ensureWorkerPython } from '../src/local-worker/worker-environment.js';
import { makeEvaluatedRun } from '../test/export/export-fixture.js';

const { values } = parseArgs({ options: { items: { type: 'string', default: '40' }, types: { type: 'string', default: GGUF_TYPES.join(',') }, keep: { type: 'string' } } });
const types = values.types.split(',').map((type) => {
  if (!isGgufType(type)) throw new Error(`unknown type ${type}; one of ${GGUF_TYPES.join(', ')}`);
  return type;
});
const root = values.keep ?? mkdtempSync(join(tmpdir(), 'distillery-gguf-bench-'));
const items = Number(values.items);

function row(label: string, record: ExportRecord, seconds: number): string {
  const gguf = record.files.filter((file) => file.name.endsWith('.gguf'));
  const size = gguf.map((file) => `${file.name} ${(file.bytes / 1024).toFixed(0)} KiB`).join(', ');
  const tensorTypes = Object.entries(record.gguf_tensor_types ?? {}).map(([name, counts]) => `${name}: ${Object.entries(counts).map(([type, count]) => `${count} ${type}`).join(', ')}`).join('; ');
  const metric = `${record.metric.student?.toFixed(3) ?? 'n/a'} → ${record.metric.export?.toFixed(3) ?? 'n/a'}`;
  return `| ${label} | ${size} | ${tensorTypes} | ${(record.agreement * 100).toFixed(1)}% | ${metric} | ${seconds.toFixed(0)} s |`;
}

try {
  const workerPython = await ensureWorkerPython();
  const log = () => undefined;
  const full = await makeEvaluatedRun(workerPython, join(root, 'full'), { student: 'full', items });
  console.log(`| type | GGUF size | tensor types in the file | agreement (${items} items) | accuracy student → export | export time |`);
  console.log('|---|---|---|---|---|---|');
  for (const type of types as GgufType[]) {
    const started = performance.now();
    const record = await runExport({ runDir: full.runDir, out: join(root, 'full', type), format: 'gguf', ggufType: type, log }).catch((error: Error) => error);
    if (record instanceof Error) console.log(`| ${type} | failed: ${record.message.split('\n')[0]} |`);
    else console.log(row(type, record, (performance.now() - started) / 1000));
  }
  const lora = await makeEvaluatedRun(workerPython, join(root, 'lora'), { student: 'trained-lora', items });
  const started = performance.now();
  console.log(row('f16 base + f32 LoRA (--lora-only)', await runExport({ runDir: lora.runDir, out: join(root, 'lora', 'out'), format: 'gguf', loraOnly: true, log }), (performance.now() - started) / 1000));
} finally {
  if (values.keep === undefined) rmSync(root, { recursive: true, force: true });
}
