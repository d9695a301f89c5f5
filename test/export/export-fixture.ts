import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { buildPrompt, trainingMessages } from '../../src/data/chat-format.js';
import { startLocalServer } from '../../src/local-worker/local-server.js';
import { workerDirectory } from '../../src/local-worker/worker-location.js';
import { runPaths } from '../../src/stages/run-paths.js';
import { makeTinyAdapter, makeTinyModel, runToEnd } from '../engines/tiny-models.js';

export const SYSTEM = 'Answer with one word.';
const WORDS = 'the cat sat on a mat dog ran fast slow red blue green house tree river'.split(' ');

/**
 * A finished run as the pipeline leaves it, made directly: a tiny base (head size 64, which vLLM's CPU
 * attention supports), a trained LoRA adapter (random non-zero weights), the task config with an evaluate
 * section, and the student's answers to the evaluation items from Distillery's transformers server.
 */
export async function makeEvaluatedRun(workerPython: string, dir: string, options: { items?: number; assistantPrefix?: string; student?: 'random-lora' | 'full' | 'trained-lora'; hidden?: number; heads?: number } = {}): Promise<{ runDir: string; config: string; model: string; adapter: string }> {
  const model = await makeTinyModel(workerPython, join(dir, 'tiny'), { hidden: options.hidden, heads: options.heads });
  const runDir = join(dir, 'run');
  const paths = runPaths(runDir);
  mkdirSync(paths.train.dir, { recursive: true });
  const items = Array.from({ length: options.items ?? 12 }, (_, index) => ({ id: `q${index}`, input: Array.from({ length: 4 }, (_, position) => WORDS[(index * 5 + position * 3) % WORDS.length]).join(' '), label: WORDS[index % 4] }));
  const full = options.student === 'full';
  if (full || options.student === 'trained-lora') {
    // A really trained student answers in whole words; a random one emits byte tokens that are not valid
    // UTF-8, which each engine renders differently (U+FFFD, dropped, or other bytes).
    const trainFile = join(dir, 'train.jsonl');
    writeFileSync(trainFile, items.concat(items, items, items).map((item) => JSON.stringify({ messages: trainingMessages({ system: SYSTEM }, item.input, item.label!) })).join('\n') + '\n');
    const job = join(dir, 'job.json');
    const method = full ? { method: 'full', learning_rate: 0.004 } : { method: 'lora', learning_rate: 0.02, lora: { r: 16, alpha: 32, dropout: 0 } };
    writeFileSync(job, JSON.stringify({ base_model: model, train_file: trainFile, output_dir: paths.train.dir, method: method.method, ...(method.lora ? { lora: method.lora } : {}), hyperparameters: { epochs: 8, batch_size: 8, learning_rate: method.learning_rate, max_length: 64, packing: false, seed: 1 }, checkpoint: 'last', device: 'cpu' }));
    await runToEnd(workerPython, ['-m', 'distillery_worker', 'train', job]);
    writeFileSync(paths.train.metrics, JSON.stringify({ trainer: 'local', provider: 'worker', method: method.method, base_model: model, adapter_dir: full ? join(paths.train.dir, 'model') : paths.train.adapter }));
  } else {
    const adapter = await makeTinyAdapter(workerPython, model, join(dir, 'trained-adapter'));
    cpSync(adapter, paths.train.adapter, { recursive: true });
    writeFileSync(paths.train.metrics, JSON.stringify({ trainer: 'local', provider: 'worker', method: 'lora', base_model: model, adapter_dir: paths.train.adapter }));
  }
  writeFileSync(join(dir, 'test.jsonl'), items.map((item) => JSON.stringify(item)).join('\n') + '\n');
  const config = join(dir, 'task.yaml');
  writeFileSync(
    config,
    stringify({
      name: 'export-fixture',
      inputs: { path: 'test.jsonl' },
      teacher: { endpoint: 'local', model: 'teacher' },
      student: { base: model, trainer: 'local', method: 'lora', system: SYSTEM, assistant_prefix: options.assistantPrefix ?? '' },
      evaluate: { data: { path: 'test.jsonl', label: 'label' }, models: { student: { from: 'train', max_tokens: 8 } }, metrics: ['accuracy'] },
    }),
  );
  writeFileSync(join(runDir, 'run.json'), JSON.stringify({ name: 'export-fixture', config }));
  const server = full
    ? await startLocalServer({ python: workerPython, workerDir: workerDirectory(), model: join(paths.train.dir, 'model'), servedName: 'student', device: 'cpu' })
    : await startLocalServer({ python: workerPython, workerDir: workerDirectory(), model, servedName: model, adapters: { student: paths.train.adapter }, device: 'cpu' });
  const predictions: string[] = [];
  try {
    for (const item of items) {
      const prompt = buildPrompt({ system: SYSTEM, assistantPrefix: options.assistantPrefix || undefined }, item.input);
      const response = await server.http.json('POST', '/chat/completions', chatShape, { model: 'student', messages: prompt.messages, max_tokens: 8, temperature: 0, ...prompt.extra });
      const text = response.data.choices[0]!.message.content ?? '';
      predictions.push(JSON.stringify({ id: item.id, model: 'student', model_id: 'student', output: text, reasoning: null, finish_reason: 'stop', latency_ms: 1, time_to_first_token_ms: null, prompt_tokens: 1, completion_tokens: 1, cached: false, error: null }));
    }
  } finally {
    await server.stop();
  }
  mkdirSync(paths.evaluate.dir, { recursive: true });
  writeFileSync(paths.evaluate.predictions, predictions.join('\n') + '\n');
  return { runDir, config, model, adapter: paths.train.adapter };
}

const chatShape = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })) });
