import type { Command } from 'commander';
import { ensureWorkerPython } from '../local-worker/worker-environment.js';

export function registerWorker(program: Command): void {
  const worker = program.command('worker').description("the Python worker's environment (PyTorch, transformers, TRL, PEFT)");
  worker
    .command('python')
    .description('print the worker interpreter, creating its cached environment first if needed (several GB, minutes)')
    .action(async () => {
      const python = await ensureWorkerPython({ log: (line) => process.stderr.write(`${line}\n`) });
      process.stdout.write(`${python}\n`);
    });
}
