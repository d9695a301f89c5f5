import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/run-export.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';
import { makeEvaluatedRun, SYSTEM } from './export-fixture.js';

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

  it('gguf and ollama: llama.cpp answers from the GGUF as the student did; the Modelfile names the GGUF, template, system prompt and stop token', async () => {
    const run = await makeEvaluatedRun(workerPython, join(suiteDir(), 'gguf'), { student: 'full' });
    const out = join(suiteDir(), 'gguf', 'ollama');
    const record = await runExport({ runDir: run.runDir, out, format: 'ollama', log: () => undefined });
    expect(record).toMatchObject({ format: 'ollama', engine: 'llama.cpp', gguf_type: 'f16', items: 12 });
    expect(record.agreement).toBeGreaterThanOrEqual(0.99);
    expect(record.metric.export).toBe(record.metric.student);
    expect(record.files.map((file) => file.name).sort()).toEqual(['Modelfile', 'model-f16.gguf'].sort());
    const modelfile = readFileSync(join(out, 'Modelfile'), 'utf8');
    expect(modelfile).toMatch(/^FROM \.\/model-f16\.gguf\nTEMPLATE """\{\{ if \.System \}\}<\|im_start\|>system\n/);
    expect(modelfile).toContain(`SYSTEM """${SYSTEM}"""`);
    expect(modelfile).toContain('PARAMETER stop "<|im_end|>"');
    expect(record.commands.ollama).toContain(`ollama create student -f ${join(out, 'Modelfile')}`);
  }, 3_600_000);

  it('fails loudly when the student\'s tokenizer has no chat template', async () => {
    const run = await makeEvaluatedRun(workerPython, join(suiteDir(), 'no-template'), { items: 2 });
    const adapter = join(run.runDir, 'train', 'adapter');
    rmSync(join(adapter, 'chat_template.jinja'), { force: true });
    const config = JSON.parse(readFileSync(join(adapter, 'tokenizer_config.json'), 'utf8'));
    delete config.chat_template;
    writeFileSync(join(adapter, 'tokenizer_config.json'), JSON.stringify(config));
    await expect(runExport({ runDir: run.runDir, out: join(suiteDir(), 'no-template', 'out'), format: 'merged', log: () => undefined })).rejects.toThrow(/has no chat template/);
  }, 1_800_000);
});
