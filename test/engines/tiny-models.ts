import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { HttpClient } from '../../src/llm/http-client.js';
import { workerDirectory } from '../../src/local-worker/worker-location.js';

const WORDS = 'the cat sat on a mat dog ran fast slow red blue green house tree river route query docs web sql chat'.split(' ');

/** Runs a command to its end; rejects with its output on a non-zero exit. */
export function runToEnd(command: string, args: string[], environment: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...environment, PYTHONPATH: workerDirectory(), CUDA_VISIBLE_DEVICES: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-3000)}`))));
  });
}

/**
 * A tiny random Llama built by the worker's `make-tiny` with head size 64 (hidden 128, 2 heads): vLLM's CPU
 * attention supports head sizes 32–512 only (a head size of 16 starts, then dies on the first request).
 */
export async function makeTinyModel(python: string, dir: string, options: { hidden?: number; heads?: number; layers?: number; seed?: number } = {}): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const text = join(dir, '..', `${options.seed ?? 3}-corpus.txt`);
  const lines = Array.from({ length: 400 }, (_, index) => Array.from({ length: 8 }, (_, position) => WORDS[(index * 7 + position * 5 + index * position) % WORDS.length]).join(' '));
  writeFileSync(text, `${lines.join('\n')}\n`);
  const model = join(dir, 'model');
  const args = ['-m', 'distillery_worker', 'make-tiny', '--out', model, '--text', text, '--layers', String(options.layers ?? 2), '--hidden', String(options.hidden ?? 128), '--heads', String(options.heads ?? 2), '--vocab', '400', '--seed', String(options.seed ?? 3)];
  await runToEnd(python, args);
  return model;
}

/** A LoRA adapter with random non-zero weights for `base` (see make_tiny_adapter.py). */
export async function makeTinyAdapter(python: string, base: string, out: string, rank = 8, seed = 5): Promise<string> {
  await runToEnd(python, [join(import.meta.dirname, 'make_tiny_adapter.py'), base, out, String(rank), String(seed)]);
  return out;
}

export const PROMPTS = ['the cat sat on', 'route this query', 'red blue green', 'docs web sql chat', 'a dog ran fast', 'house tree river'];

const chatSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }), finish_reason: z.string().nullable() })) });

/**
 * An answer as two servers can be compared on it: a random tiny model often ends an answer cut by
 * max_tokens in the middle of a UTF-8 character, which vLLM drops and the worker shows as U+FFFD.
 */
export function comparable(text: string): string {
  return text.replace(/\uFFFD+$/u, '');
}

/** One greedy chat completion's text. */
export async function greedy(http: HttpClient, model: string, prompt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const body = { model, messages: [{ role: 'user', content: prompt }], max_tokens: 8, temperature: 0, ...extra };
  const response = await http.json('POST', '/chat/completions', chatSchema, body);
  return response.data.choices[0]!.message.content ?? '';
}
