import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../../test/helpers/temp-dir.js';
import { taskSchema } from '../../../config/schema.js';
import type { LoadedTask } from '../../../config/load.js';
import { installedWorkerPython } from '../../../local-worker/worker-environment.js';
import { formatInspection, inspectTrainingRows, type Inspection } from './inspect-rows.js';
import { runWorker } from './worker-process.js';

const temp = useTempDir();

const report: Inspection = {
  file: 'split/train.jsonl',
  template: 'Qwen3-0.6B',
  max_length: 12,
  conversations: 2,
  sequences: 2,
  truncated: 1,
  answers_losing_end_token: 1,
  tokens: { total: 30, max: 18, trained_total: 9 },
  rows: [
    {
      row: 1,
      segments: [
        { text: '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n', trained: false, tokens: 7 },
        { text: 'hello<|im_end|>', trained: true, tokens: 2 },
      ],
      tokens: 9,
      trained_tokens: 2,
      truncated_tokens: 0,
      loses_end_token: false,
    },
    { row: 2, segments: [{ text: 'x', trained: false, tokens: 1 }], tokens: 18, trained_tokens: 9, truncated_tokens: 6, loses_end_token: true },
  ],
};

describe('distillery inspect', () => {
  it('marks the trained span and says what max_length cuts', () => {
    const text = formatInspection(report);
    expect(text).toContain('<|im_start|>assistant\n⟦hello<|im_end|>⟧');
    expect(text).toContain('── row 1: 9 tokens, 2 trained\n');
    expect(text).toContain('── row 2: 18 tokens, 9 trained, 6 cut by max_length — the answer loses its end-of-turn token');
    expect(text).toContain('1 sequence(s) truncated by max_length; 1 answer(s) lose their end-of-turn token');
    expect(formatInspection(report, true)).toContain('\u001b[42;30mhello<|im_end|>\u001b[0m');
  });

  // The managed worker environment (`distillery worker python`); a machine without it prints why and skips.
  const python = process.env.DISTILLERY_WORKER_PYTHON || installedWorkerPython();
  if (python === undefined) console.warn('skipping the worker inspect test: no worker environment installed (run `distillery worker python`)');
  it.skipIf(python === undefined)('renders the split file with the student tokenizer through the worker', async () => {
    const text = temp.write('text.txt', 'what is number one? red cat\nblue dog green fish\n'.repeat(40));
    const model = join(temp.path(), 'tiny');
    const environment = { PATH: process.env.PATH, HOME: process.env.HOME, OMP_NUM_THREADS: '1' };
    const made = await runWorker({ python: python!, args: ['make-tiny', '--out', model, '--text', text, '--layers', '1', '--hidden', '16', '--heads', '2', '--vocab', '300'], environment });
    expect(made.code).toBe(0);
    const rows = [{ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'what is number one?' }, { role: 'assistant', content: 'red cat' }] }];
    const file = temp.write('train.jsonl', rows.map((row) => JSON.stringify(row)).join('\n'));
    const config = taskSchema.parse({ name: 'x', inputs: { path: 'in.jsonl' }, teacher: { endpoint: 'local', model: 't' }, student: { base: model, hyperparameters: { max_length: 64 } } });
    const task: LoadedTask = { file: join(temp.path(), 'task.yaml'), dir: temp.path(), config, raw: {} };
    const inspected = await inspectTrainingRows(task, file, 1, python!, environment);
    expect(inspected).toMatchObject({ conversations: 1, sequences: 1, truncated: 0, answers_losing_end_token: 0, max_length: 64 });
    expect(inspected.rows[0]!.segments.filter((segment) => segment.trained).map((segment) => segment.text)).toEqual(['red cat<|im_end|>']);
    expect(formatInspection(inspected)).toContain('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nwhat is number one?<|im_end|>\n<|im_start|>assistant\n⟦red cat<|im_end|>⟧');
  }, 300_000);
});
