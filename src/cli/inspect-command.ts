import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadTask } from '../config/load.js';
import { ensureWorkerPython } from '../local-worker/worker-environment.js';
import { formatInspection, inspectTrainingRows } from '../stages/train/local/inspect-rows.js';
import { runPaths } from '../stages/run-paths.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("print training rows as the student will see them (its chat template, trained span marked), token counts and what max_length truncates")
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory (reads split/train.jsonl)')
    .option('--rows <n>', 'rows to print', (value) => Number.parseInt(value, 10), 3)
    .option('--file <path>', 'a chat JSONL file instead of the run\'s split/train.jsonl')
    .option('--json', 'print the report as JSON')
    .action(async (config: string, options: { runDir: string; rows: number; file?: string; json?: boolean }) => {
      const task = loadTask(config);
      const python = await ensureWorkerPython({ configuredPython: task.config.student?.python, log: (line) => process.stderr.write(`${line}\n`) });
      const file = resolve(options.file ?? runPaths(options.runDir).split.train);
      const report = await inspectTrainingRows(task, file, options.rows, python, process.env);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspection(report, process.stdout.isTTY === true));
    });
}
