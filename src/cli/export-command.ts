import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DataError, DistilleryError } from '../errors.js';
import { ensureWorkerPython } from '../local-worker/worker-environment.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import { runPaths } from '../stages/run-paths.js';

const trainedSchema = z.object({ method: z.string(), base_model: z.string(), adapter_dir: z.string().nullable() });

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('merge the run\'s local LoRA adapter into its base model (safetensors + tokenizer) with the worker')
    .requiredOption('--run-dir <dir>', 'run directory')
    .requiredOption('--merged <dir>', 'output folder for the merged model')
    .action(async (options: { runDir: string; merged: string }) => {
      const metricsFile = runPaths(options.runDir).train.metrics;
      if (!existsSync(metricsFile)) throw new DataError('no trained student: run the train stage first', metricsFile);
      const trained = trainedSchema.parse(JSON.parse(readFileSync(metricsFile, 'utf8')));
      if (trained.method === 'full' || trained.adapter_dir === null) {
        throw new DistilleryError(`nothing to merge: the student was trained with method ${trained.method}; its weights are in ${trained.adapter_dir ?? 'the provider'}`);
      }
      const python = await ensureWorkerPython();
      const child = spawn(python, ['-m', 'distillery_worker', 'merge', '--base', trained.base_model, '--adapter', trained.adapter_dir, '--out', resolve(options.merged)], {
        env: { ...process.env, PYTHONPATH: workerDirectory() },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const code = await new Promise<number | null>((done) => child.on('close', done));
      if (code !== 0) throw new DistilleryError(`merge failed (exit ${code})`);
    });
}
