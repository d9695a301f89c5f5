import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/run-export.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeEvaluatedRun } from './export-fixture.js';

/**
 * `distillery export` on a tiny trained student, each export proved by its real engine: vLLM answers the
 * merged model, llama.cpp (llama_cpp built from source) the GGUF. The engines' environments are installed
 * by the project (.ci/run creates them first), so a missing one is installed here, never skipped.
 */
const suiteDir = useSuiteTempDir();
let workerPython: string;

beforeAll(async () => {
  workerPython = await ensureWorkerPython();
}, 1_800_000);

describe('distillery export', () => {
  it('merged: one safetensors folder in the base dtype with tokenizer and chat template, answering as the student did on vLLM', async () => {
    const run = await makeEvaluatedRun(workerPython, join(suiteDir(), 'merged'));
    const out = join(suiteDir(), 'merged', 'out');
    const record = await runExport({ runDir: run.runDir, out, format: 'merged', log: () => undefined });
    const written = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8'));
    expect(written).toMatchObject({ format: 'merged', engine: 'vllm', dtype: 'float32', items: 12 });
    expect(written.agreement).toBeGreaterThanOrEqual(0.99);
    expect(record.metric.export).toBe(record.metric.student);
    const files = readdirSync(out);
    expect(files).toContain('model.safetensors');
    expect(files.filter((name) => /\.(bin|pt|pth)$/.test(name))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['tokenizer.json', 'config.json']));
    const template = existsSync(join(out, 'chat_template.jinja')) ? readFileSync(join(out, 'chat_template.jinja'), 'utf8') : JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')).chat_template;
    expect(template).toContain('<|im_start|>');
    expect(written.files.find((file: { name: string }) => file.name === 'model.safetensors').bytes).toBeGreaterThan(100_000);
  }, 1_800_000);
});
