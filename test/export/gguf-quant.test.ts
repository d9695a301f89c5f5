import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerWithLlamaCpp } from '../../src/engines/llamacpp.js';
import { ensureLlamacppPython } from '../../src/engines/llamacpp-environment.js';
import { exportAgreement } from '../../src/export/export-agreement.js';
import { readExportSources, studentRequests } from '../../src/export/export-sources.js';
import { runExport } from '../../src/export/run-export.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeEvaluatedRun } from './export-fixture.js';

/**
 * K-quants through llama.cpp's quantizer and the LoRA-only GGUF export (base GGUF + adapter GGUF), each
 * answered by llama.cpp itself. The llama.cpp environment is the project's own (installed, never skipped).
 */
const suiteDir = useSuiteTempDir();
let workerPython: string;
let fullRun: string;

beforeAll(async () => {
  workerPython = await ensureWorkerPython();
}, 1_800_000);

describe('GGUF export types', () => {
  it('q4_k_m: quantized by llama.cpp from the lossless GGUF; export.json holds the tensor types the file really has and the metric drop', async () => {
    fullRun = (await makeEvaluatedRun(workerPython, join(suiteDir(), 'full'), { student: 'full' })).runDir;
    const f16 = await runExport({ runDir: fullRun, out: join(suiteDir(), 'full', 'f16'), format: 'gguf', log: () => undefined });
    expect(f16.gguf_tensor_types).toEqual({ 'model-f16.gguf': { F16: expect.any(Number), F32: expect.any(Number) } });
    expect(f16.metric_drop).toBeNull();

    const out = join(suiteDir(), 'full', 'q4');
    const record = await runExport({ runDir: fullRun, out, format: 'gguf', ggufType: 'q4_k_m', log: () => undefined });
    expect(readdirSync(out).sort()).toEqual(['export.json', 'model-q4_k_m.gguf']);
    const types = record.gguf_tensor_types!['model-q4_k_m.gguf']!;
    // The test model's 128-wide rows are not a multiple of the K-quants' 256-wide blocks: llama.cpp quantizes
    // the 512-wide ffn_down rows as Q4_K and falls back for the rest, and the record says so.
    expect(types.Q4_K).toBeGreaterThanOrEqual(1);
    expect(types.F16).toBeUndefined();
    expect(Object.keys(types).filter((type) => !['Q4_K', 'F32'].includes(type)).length).toBeGreaterThan(0);
    expect(record.metric_drop).toBe(record.metric.student! - record.metric.export!);
    expect(record.agreement).toBeGreaterThanOrEqual(0);
    const size = (entry: typeof record, name: string) => entry.files.find((file) => file.name === name)!.bytes;
    expect(size(record, 'model-q4_k_m.gguf')).toBeLessThan(size(f16, 'model-f16.gguf') * 0.5);
    expect(JSON.parse(readFileSync(join(out, 'export.json'), 'utf8'))).toMatchObject({ gguf_type: 'q4_k_m', lora_only: false, gguf_tensor_types: { 'model-q4_k_m.gguf': types } });
  }, 3_600_000);

  it('refuses --lora-only for a fully fine-tuned student, writing nothing', async () => {
    const out = join(suiteDir(), 'full', 'lora-only');
    await expect(runExport({ runDir: fullRun, out, format: 'gguf', loraOnly: true, log: () => undefined })).rejects.toThrow(/--lora-only needs a LoRA student.*fully fine-tuned/);
    expect(existsSync(out)).toBe(false);
  }, 600_000);

  it('lora-only: llama.cpp loads the base GGUF with the adapter GGUF and answers as the trained student; the Modelfile names the ADAPTER', async () => {
    const run = await makeEvaluatedRun(workerPython, join(suiteDir(), 'lora'), { student: 'trained-lora' });
    const out = join(suiteDir(), 'lora', 'out');
    const record = await runExport({ runDir: run.runDir, out, format: 'ollama', loraOnly: true, log: () => undefined });
    expect(record.files.map((file) => file.name).sort()).toEqual(['Modelfile', 'adapter-f32.gguf', 'model-f16.gguf']);
    expect(record).toMatchObject({ lora_only: true, gguf_type: 'f16', items: 12, metric_drop: null });
    expect(record.agreement).toBeGreaterThanOrEqual(0.99);
    expect(record.metric.export).toBe(record.metric.student);
    // The adapter is what answers: the base GGUF alone answers otherwise.
    const sources = await readExportSources(run.runDir);
    const baseAlone = await answerWithLlamaCpp(await ensureLlamacppPython(), join(out, 'model-f16.gguf'), studentRequests(sources), suiteDir());
    expect(exportAgreement(sources, baseAlone).agreement).toBeLessThan(0.5);
    expect(record.gguf_tensor_types!['adapter-f32.gguf']).toEqual({ F32: expect.any(Number) });
    expect(readFileSync(join(out, 'Modelfile'), 'utf8')).toMatch(/^FROM \.\/model-f16\.gguf\nADAPTER \.\/adapter-f32\.gguf\nTEMPLATE /);
    expect(record.commands['llama.cpp']).toContain(`--lora ${join(out, 'adapter-f32.gguf')}`);
  }, 3_600_000);

  it('the CLI refuses a GGUF type it does not offer, naming the ones it does', async () => {
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'distillery.js');
    const failure = await promisify(execFile)(process.execPath, [cli, 'export', '--format', 'gguf', '--quant', 'iq4_xs', '--run-dir', suiteDir(), '--out', join(suiteDir(), 'never')]).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toMatch(/--quant must be one of f16, bf16, f32, q8_0, q4_k_m.*not 'iq4_xs'/);
    expect(existsSync(join(suiteDir(), 'never'))).toBe(false);
    const merged = await promisify(execFile)(process.execPath, [cli, 'export', '--format', 'merged', '--quant', 'q4_k_m', '--run-dir', suiteDir(), '--out', join(suiteDir(), 'never')]).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    expect(merged?.stderr).toContain('--quant and --lora-only apply to --format gguf or ollama, not merged');
  }, 120_000);
});
