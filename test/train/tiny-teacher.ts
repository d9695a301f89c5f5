import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { runWorker } from '../../src/stages/train/local/worker-process.js';
import type { KeptRow } from './run-fixture.js';

export interface TinyPair {
  /** A tiny model fully trained on the rows: confident, so far from a random student. */
  teacher: string;
  /** A smaller random model with the same tokenizer. */
  studentBase: string;
}

const WORDS = 'the cat sat on a mat dog ran fast slow red blue green house tree river'.split(' ');
const LABELS = ['alpha', 'beta', 'gamma', 'delta'];

/** Four words → a label chosen by the first word: a tiny teacher learns it and answers confidently, also on unseen inputs. */
export function labelRows(count: number, offset = 0): KeptRow[] {
  return Array.from({ length: count }, (_, index) => {
    const picked = Array.from({ length: 4 }, (_, position) => ((index + offset) * 7 + position * 3) % WORDS.length);
    return { id: `row-${index + offset}`, input: picked.map((word) => WORDS[word]).join(' '), output: LABELS[picked[0]! % 4]! };
  });
}

/** Chat rows as the split writes them (system, user, assistant). */
export function chatLines(rows: KeptRow[], system: string): string {
  return rows.map((row) => `${JSON.stringify({ messages: [{ role: 'system', content: system }, { role: 'user', content: row.input }, { role: 'assistant', content: row.output }] })}\n`).join('');
}

async function worker(python: string, args: string[], environment: NodeJS.ProcessEnv): Promise<void> {
  const exit = await runWorker({ python, args, environment });
  if (exit.code !== 0) throw new Error(`worker ${args[0]} failed:\n${exit.logTail.join('\n')}`);
}

/**
 * Builds a teacher and a student base sharing one tokenizer (trained on the rows' text), with the worker's
 * `make-tiny`, and trains the teacher on the rows (full fine-tuning, CPU). `hidden`/`heads`: the teacher's size
 * (vLLM serves head sizes of 32 or more from its supported list, e.g. 256 / 4).
 */
export async function tinyTeacherAndStudent(python: string, dir: string, rows: KeptRow[], system: string, environment: NodeJS.ProcessEnv, teacherSize = { hidden: 64, heads: 2, epochs: 12 }): Promise<TinyPair> {
  const text = join(dir, 'text.txt');
  writeFileSync(text, rows.flatMap((row) => [row.input, row.output, system]).join('\n').repeat(4));
  const teacherBase = join(dir, 'teacher-base');
  const studentBase = join(dir, 'student-base');
  await worker(python, ['make-tiny', '--out', teacherBase, '--text', text, '--layers', '2', '--hidden', String(teacherSize.hidden), '--heads', String(teacherSize.heads), '--seed', '1'], environment);
  await worker(python, ['make-tiny', '--out', studentBase, '--text', text, '--layers', '1', '--hidden', '64', '--heads', '2', '--seed', '2'], environment);
  const trainFile = join(dir, 'teacher-train.jsonl');
  writeFileSync(trainFile, chatLines(rows, system));
  const job = join(dir, 'teacher-job.json');
  const output = join(dir, 'teacher');
  writeFileSync(job, JSON.stringify({ base_model: teacherBase, train_file: trainFile, output_dir: output, method: 'full', device: 'cpu', hyperparameters: { epochs: teacherSize.epochs, batch_size: 8, learning_rate: 0.003, lr_scheduler: 'constant', max_length: 96, packing: false, seed: 0 } }));
  await worker(python, ['train', job], environment);
  return { teacher: join(output, 'model'), studentBase };
}

/** The worker's `divergence` command: mean per-token KL(student || teacher) on the student's samples. */
export async function sampledReverseKl(python: string, student: string, teacher: string, chatFile: string, environment: NodeJS.ProcessEnv, maxNewTokens = 8): Promise<number> {
  let line = '';
  const exit = await runWorker({ python, args: ['divergence', '--student', student, '--teacher', teacher, '--max-new-tokens', String(maxNewTokens), '--seed', '3', chatFile], environment, onLine: (text) => (line = text || line) });
  if (exit.code !== 0) throw new Error(`worker divergence failed:\n${exit.logTail.join('\n')}`);
  return z.object({ reverse_kl: z.number() }).parse(JSON.parse(line)).reverse_kl;
}
