import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { registerExport } from '../../src/cli/export-command.js';
import { ConfigError } from '../../src/errors.js';
import { checkHubTarget, HubPushError, publishExport } from '../../src/export/push-to-hub.js';
import { ensureWorkerPython } from '../../src/local-worker/worker-environment.js';
import { startFakeHub, type FakeHub } from '../fake-hub/fake-hub.js';
import { sha256Hex } from '../fake-hub/hub-state.js';
import { useSuiteTempDir } from '../helpers/suite-temp-dir.js';

/**
 * `--push-to-hub` through the real huggingface_hub (the worker's environment) against the local fake Hub:
 * every file arrives with its bytes, weights through LFS (multipart for the large one), text in the commit.
 */
const TOKEN = 'hf_fake_write_token';
const suiteDir = useSuiteTempDir();
let hub: FakeHub;
// huggingface_hub caches what it fetches (the agent registry) under HF_HOME: keep the user's own out of it.
const hfHome = (): string => join(suiteDir(), 'hf-home');

beforeAll(async () => {
  await ensureWorkerPython();
  hub = await startFakeHub({ token: TOKEN, multipartThresholdBytes: 1024 * 1024, multipartChunkBytes: 1024 * 1024 });
}, 1_800_000);
afterAll(() => hub?.close());

/** A finished run and a merged export folder as `distillery export` leaves them (weights are random bytes). */
function exportedRun(name: string): { runDir: string; config: string; out: string; files: Record<string, Buffer> } {
  const dir = join(suiteDir(), name);
  const runDir = join(dir, 'run');
  mkdirSync(join(runDir, 'train'), { recursive: true });
  mkdirSync(join(runDir, 'split'), { recursive: true });
  const config = join(dir, 'task.yaml');
  writeFileSync(config, stringify({ name: 'router', inputs: { path: 'inputs.jsonl' }, teacher: { endpoint: 'local', model: 'teacher-model' }, student: { base: 'Qwen/Qwen3-0.6B', trainer: 'local', method: 'lora', hyperparameters: { epochs: 3, lora_r: 8 } } }));
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ name: 'router', config }));
  writeFileSync(join(runDir, 'train', 'metrics.json'), JSON.stringify({ trainer: 'local', provider: 'worker', method: 'lora', base_model: 'Qwen/Qwen3-0.6B', adapter_dir: join(runDir, 'train', 'adapter') }));
  writeFileSync(join(runDir, 'split', 'train.jsonl'), '{"messages":[]}\n'.repeat(42));
  const out = join(dir, 'out');
  mkdirSync(out, { recursive: true });
  const files: Record<string, Buffer> = {
    'model.safetensors': randomBytes(3 * 1024 * 1024 + 123),
    // GGUF's magic and version 3 as little-endian uint32: binary from its first bytes, as the Hub sees it.
    'model-f16.gguf': Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), randomBytes(200_000)]),
    'tokenizer.json': Buffer.from(JSON.stringify({ version: '1.0', model: { vocab: { a: 0, b: 1 } } })),
    'config.json': Buffer.from('{"architectures": ["LlamaForCausalLM"], "dtype": "float32"}\n'),
    'chat_template.jinja': Buffer.from('{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}'),
    'export.json': Buffer.from(JSON.stringify({ format: 'merged', engine: 'vllm', dtype: 'float32', gguf_type: null, items: 12, agreement: 1, metric: { name: 'accuracy', student: 0.75, export: 0.75 }, disagreements: [], files: [], commands: {} })),
  };
  for (const [file, content] of Object.entries(files)) writeFileSync(join(out, file), content);
  writeFileSync(join(out, '.editor-backup'), 'not part of the export');
  return { runDir, config, out, files };
}

describe('distillery export --push-to-hub', () => {
  it('uploads every file with its bytes: weights through LFS (multipart when large), text in the NDJSON commit, a model card, the commit message', async () => {
    const run = exportedRun('push');
    const result = await publishExport({ folder: run.out, runDir: run.runDir, configPath: run.config, target: { repo: 'acme/router-student', private: true, revision: undefined }, commitMessage: 'Distillery merged export: 100.0% agreement', environment: { ...process.env, HF_TOKEN: TOKEN, HF_ENDPOINT: hub.url, HF_HOME: hfHome() }, log: () => undefined });

    const repo = hub.state.repos.get('acme/router-student')!;
    expect(repo.private).toBe(true);
    const commit = hub.state.commits.at(-1)!;
    expect(commit).toMatchObject({ repo: 'acme/router-student', branch: 'main', summary: 'Distillery merged export: 100.0% agreement' });
    expect(result).toMatchObject({ revision: 'main', commit_oid: commit.oid, repo_url: `${hub.url}/acme/router-student` });
    const main = repo.branches.get('main')!;
    expect([...main.keys()].sort()).toEqual([...Object.keys(run.files), 'README.md'].sort());
    for (const [file, content] of Object.entries(run.files)) expect(sha256Hex(main.get(file)!.content), file).toBe(sha256Hex(content));
    const kinds = Object.fromEntries(commit.files.map((file) => [file.path, file.kind]));
    expect(kinds).toEqual({ 'model.safetensors': 'lfs', 'model-f16.gguf': 'lfs', 'tokenizer.json': 'regular', 'config.json': 'regular', 'chat_template.jinja': 'regular', 'export.json': 'regular', 'README.md': 'regular' });

    // Xet off: the batch offered basic and multipart only; the 3 MB file went up in 4 parts of 1 MiB.
    const batches = hub.state.requests.filter((request) => request.lfsTransfers !== undefined);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) expect(batch.lfsTransfers!.offered).toEqual(['basic', 'multipart']);
    expect(hub.state.requests.filter((request) => request.method === 'PUT' && request.path.includes('/part/'))).toHaveLength(4);
    expect(hub.state.requests.filter((request) => /xet/i.test(request.path))).toEqual([]);
    expect(hub.state.requests.filter((request) => request.status >= 400)).toEqual([]);

    const card = main.get('README.md')!.content.toString('utf8');
    expect(card).toMatch(/^---\nbase_model: Qwen\/Qwen3-0\.6B\nlibrary_name: transformers\n/);
    expect(card).toContain('the teacher `teacher-model`');
    expect(card).toContain('training rows: 42');
    expect(card).toContain('100.0% of 12 evaluation items; accuracy: student 0.7500, export 0.7500');
    expect(card).toContain('vllm serve acme/router-student');
    expect(readFileSync(join(run.out, 'README.md'), 'utf8')).toBe(card);
  }, 600_000);

  it('commits to a branch made from main, keeps a README.md the folder already has, and sends no unchanged weights again', async () => {
    const run = exportedRun('branch');
    const environment = { ...process.env, HF_TOKEN: TOKEN, HF_ENDPOINT: hub.url, HF_HOME: hfHome() };
    await publishExport({ folder: run.out, runDir: run.runDir, configPath: run.config, target: { repo: 'acme/branchy', private: false, revision: undefined }, commitMessage: 'first', environment, log: () => undefined });
    writeFileSync(join(run.out, 'README.md'), '# my own card\n');
    writeFileSync(join(run.out, 'config.json'), '{"changed": true}\n');
    const uploadsBefore = hub.state.requests.filter((request) => request.path.startsWith('/storage/')).length;
    const result = await publishExport({ folder: run.out, runDir: run.runDir, configPath: run.config, target: { repo: 'acme/branchy', private: false, revision: 'v2' }, commitMessage: 'second', environment, log: () => undefined });

    expect(result.revision).toBe('v2');
    const repo = hub.state.repos.get('acme/branchy')!;
    expect(repo.private).toBe(false);
    expect(repo.branches.get('v2')!.get('README.md')!.content.toString()).toBe('# my own card\n');
    expect(repo.branches.get('v2')!.get('config.json')!.content.toString()).toBe('{"changed": true}\n');
    expect(repo.branches.get('main')!.get('README.md')!.content.toString()).toContain('distilled student');
    expect(hub.state.commits.at(-1)).toMatchObject({ branch: 'v2', summary: 'second' });
    // The LFS objects are on the Hub already: the batch answers without upload actions.
    expect(hub.state.requests.filter((request) => request.path.startsWith('/storage/')).length).toBe(uploadsBefore);
  }, 600_000);

  it('a token the Hub refuses fails with the Hub\'s answer', async () => {
    const run = exportedRun('refused');
    await expect(publishExport({ folder: run.out, runDir: run.runDir, configPath: run.config, target: { repo: 'acme/refused', private: false, revision: undefined }, commitMessage: 'x', environment: { ...process.env, HF_TOKEN: 'hf_wrong', HF_ENDPOINT: hub.url, HF_HOME: hfHome() }, log: () => undefined })).rejects.toThrow(HubPushError);
    expect(hub.state.repos.has('acme/refused')).toBe(false);
  }, 600_000);

  it('without HF_TOKEN, or with a bad repo id, the command stops before exporting anything', async () => {
    expect(() => checkHubTarget({ repo: 'acme/x', private: false, revision: undefined }, {})).toThrow(/HF_TOKEN/);
    expect(() => checkHubTarget({ repo: 'acme/x/y', private: false, revision: undefined }, { HF_TOKEN: 't' })).toThrow(ConfigError);
    expect(() => checkHubTarget({ repo: 'acme/bad--name', private: false, revision: undefined }, { HF_TOKEN: 't' })).toThrow(/repo id/);
    expect(() => checkHubTarget({ repo: 'acme/x', private: false, revision: '../main' }, { HF_TOKEN: 't' })).toThrow(/--revision/);
    const saved = process.env.HF_TOKEN;
    delete process.env.HF_TOKEN;
    try {
      const program = new Command().exitOverride();
      registerExport(program);
      const out = join(suiteDir(), 'never-written');
      // A run directory that does not exist: the token check must come first, so its error is the one seen.
      await expect(program.parseAsync(['node', 'distillery', 'export', '--format', 'merged', '--run-dir', join(suiteDir(), 'no-run'), '--out', out, '--push-to-hub', 'acme/x'])).rejects.toThrow(/HF_TOKEN/);
    } finally {
      if (saved !== undefined) process.env.HF_TOKEN = saved;
    }
  });
});
