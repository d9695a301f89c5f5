import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCompare } from '../../src/cli/compare-command.js';
import { loadTask } from '../../src/config/load.js';
import { variantsOf } from '../../src/compare/variant-task.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/index.js';
import type { ChatRequest } from '../fake-provider/types.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir();
let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const ITEMS = 24;
const lastUser = (request: ChatRequest) => String(request.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '');
/** A fine-tuned student gets an item right or wrong by a hash of its model id and the input: each variant differs, repeatably. */
const studentRight = (model: string, input: string) => [...`${model}|${input}`].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) >>> 0, 7) % 3 !== 0;

function answer(request: ChatRequest): string {
  const input = lastUser(request);
  if (request.model === 'teacher-model') return input.toUpperCase();
  if (request.model.startsWith('ft:')) return studentRight(request.model, input) ? input.toUpperCase() : 'WRONG';
  return 'i do not know';
}

function writeCompareTask(dir: string, url: string, compare: unknown, student: Record<string, unknown> = {}): string {
  writeFileSync(join(dir, 'inputs.jsonl'), Array.from({ length: 30 }, (_, index) => JSON.stringify({ id: `s${index}`, input: `sentence number ${index}` })).join('\n') + '\n');
  writeFileSync(join(dir, 'test.jsonl'), Array.from({ length: ITEMS }, (_, index) => JSON.stringify({ id: `t${index}`, text: `held out ${index}`, answer: `HELD OUT ${index}` })).join('\n') + '\n');
  const config = join(dir, 'task.yaml');
  writeFileSync(
    config,
    stringify({
      name: 'compare-test',
      endpoints: { fake: { base_url: url, flavor: 'openai' } },
      inputs: { path: 'inputs.jsonl' },
      teacher: { endpoint: 'fake', model: 'teacher-model', max_tokens: 16 },
      split: { validation: 4, seed: 1 },
      student: { base: 'base-model', trainer: 'hosted', endpoint: 'fake', poll_interval: 0.005, hyperparameters: { epochs: 2 }, ...student },
      evaluate: {
        data: { path: 'test.jsonl', input: 'text', references: 'answer' },
        models: { student: { from: 'train' }, teacher: { from: 'teacher' }, base: { endpoint: 'fake', model: 'base-model' } },
        metrics: ['exact_match'],
        concurrency: 4,
      },
      compare,
    }),
  );
  return config;
}

async function compare(config: string, runDir: string): Promise<string> {
  const program = new Command().exitOverride();
  registerCompare(program);
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['compare', config, '--run-dir', runDir], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return written.join('');
}

const chatRequests = (model: (name: string) => boolean) => provider!.state.requests.filter((request) => request.path === '/v1/chat/completions' && model(String((request.body as ChatRequest).model)));
const jobsCreated = () => provider!.state.requests.filter((request) => request.method === 'POST' && request.path === '/v1/fine_tuning/jobs').length;
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const points = (value: number) => (value * 100).toFixed(1);

describe('distillery compare', () => {
  it('trains every variant on one generation, asks the teacher and the base once, and writes the table with paired comparisons', async () => {
    provider = await startFakeProvider({ answer });
    const dir = temp.path();
    const config = writeCompareTask(dir, provider.url, { against: 'sft', variants: { sft: { description: 'two epochs' }, longer: { student: { hyperparameters: { epochs: 3 } } }, shorter: { student: { hyperparameters: { epochs: 1 } } } } });
    const runDir = join(dir, 'run');

    const printed = await compare(config, runDir);
    // One generation (30 inputs), one evaluation of the teacher and of the base, whatever the number of variants.
    expect(chatRequests((model) => model === 'teacher-model')).toHaveLength(30 + ITEMS);
    expect(chatRequests((model) => model === 'base-model')).toHaveLength(ITEMS);
    expect(chatRequests((model) => model.startsWith('ft:'))).toHaveLength(3 * ITEMS);
    expect(jobsCreated()).toBe(3);

    const table = readJson(join(runDir, 'variants', 'compare.json'));
    const markdown = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(printed).toBe(markdown);
    expect(existsSync(join(runDir, 'report.html'))).toBe(true);
    expect(table.variants.map((row: { name: string }) => row.name)).toEqual(['sft', 'longer', 'shorter']);
    const correct: Record<string, boolean[]> = {};
    for (const row of table.variants) {
      const variantDir = join(runDir, 'variants', row.name);
      const report = readJson(join(variantDir, 'evaluate', 'report.json'));
      // The table's figures are the variant's own evaluation: student metric and interval, transfer ratio, steps.
      expect(row.metric).toEqual(report.models.student.metrics.exact_match);
      expect(row.transfer_ratio).toEqual(report.transfer_ratio);
      expect(report.models.teacher.metrics.exact_match.value).toBe(1);
      expect(row.steps).toBe(readJson(join(variantDir, 'train', 'metrics.json')).total_steps);
      expect(readJson(join(variantDir, 'train', 'metrics.json')).epochs).toHaveLength(row.name === 'longer' ? 3 : row.name === 'shorter' ? 1 : 2);
      const predictions = readFileSync(join(variantDir, 'evaluate', 'predictions.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      correct[row.name] = predictions.filter((record) => record.model === 'student').map((record) => record.output === record.output.toUpperCase() && record.output !== 'WRONG');
      expect(row.metric.value).toBeCloseTo(correct[row.name]!.filter(Boolean).length / ITEMS, 9);
      expect(markdown).toContain(`| ${row.name} | sft, lora | no | ${points(row.metric.value)}% [${points(row.metric.ci95[0])}, ${points(row.metric.ci95[1])}] |`);
    }
    // Paired: each variant minus sft on the same items, with McNemar's counts from those items.
    expect(table.paired.map((comparison: { model: string; against: string }) => `${comparison.model}-${comparison.against}`)).toEqual(['longer-sft', 'shorter-sft']);
    for (const comparison of table.paired) {
      const mine = correct[comparison.model]!;
      const sft = correct.sft!;
      expect(comparison.difference).toBeCloseTo((mine.filter(Boolean).length - sft.filter(Boolean).length) / ITEMS, 9);
      expect(comparison.mcnemar.only_model).toBe(mine.filter((right, index) => right && !sft[index]).length);
      expect(comparison.ci95[0]).toBeLessThanOrEqual(comparison.difference);
      expect(markdown).toContain(`| ${comparison.model} | ${comparison.difference >= 0 ? '+' : ''}${points(comparison.difference)} | [${points(comparison.ci95[0])}, ${points(comparison.ci95[1])}] |`);
    }
    expect(markdown).toContain('teacher 100.0%');

    // Again: every stage of every variant is done with its config, so nothing is asked or trained.
    const before = provider.state.requests.length;
    await compare(config, runDir);
    expect(chatRequests(() => true).filter((request) => provider!.state.requests.indexOf(request) >= before)).toHaveLength(0);
    expect(jobsCreated()).toBe(3);

    // A new variant trains alone: the others, the generation and the reference answers are reused.
    writeFileSync(config, readFileSync(config, 'utf8').replace('shorter:', 'fourth:\n      student: { hyperparameters: { learning_rate_multiplier: 2 } }\n    shorter:'));
    await compare(config, runDir);
    expect(jobsCreated()).toBe(4);
    expect(chatRequests((model) => model === 'teacher-model')).toHaveLength(30 + ITEMS);
    expect(chatRequests((model) => model.startsWith('ft:'))).toHaveLength(4 * ITEMS);
  }, 120_000);

  it('refuses an unknown key in a variant and a loss the trainer cannot run, before anything is trained', async () => {
    const dir = temp.path();
    const unknown = writeCompareTask(dir, 'http://127.0.0.1:9/v1', { variants: { sft: {}, odd: { student: { los: { type: 'kd' } } } } });
    expect(() => loadTask(unknown)).toThrow(/compare\.variants\.odd\.student.*unknown key 'los'/);
    const hosted = writeCompareTask(dir, 'http://127.0.0.1:9/v1', { variants: { sft: {}, kd: { student: { loss: { type: 'topk_kd', teacher_tokenizer: 'x', top_k: 5 } } } } });
    expect(() => variantsOf(loadTask(hosted))).toThrow(/compare\.variants\.kd: .*topk_kd needs the local trainer/);
    const against = writeCompareTask(dir, 'http://127.0.0.1:9/v1', { against: 'nope', variants: { sft: {} } });
    expect(() => loadTask(against)).toThrow(/compare\.against: against must name one of the variants/);
  });
});
