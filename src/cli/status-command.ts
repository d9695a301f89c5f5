import type { Command } from 'commander';
import { runExists } from '../pipeline/open-run.js';
import { openDatabase } from '../store/database.js';
import { RunState } from '../store/run-state.js';
import { runPaths } from '../stages/run-paths.js';
import { STAGES } from '../pipeline/stage-hash.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show every stage of a run with its state, counts, cost and time')
    .requiredOption('--run-dir <dir>', 'run directory')
    .option('--json', 'machine-readable output')
    .action((options: { runDir: string; json?: boolean }) => {
      if (!runExists(options.runDir)) throw new Error(`no run at ${options.runDir}`);
      const database = openDatabase(runPaths(options.runDir).database);
      try {
        const state = new RunState(database);
        const rows = STAGES.map((name) => state.stage(name) ?? { name, state: 'pending' as const, figures: {}, startedAt: null, finishedAt: null, error: null });
        const ledger = state.ledger();
        const total = ledger.reduce((sum, entry) => sum + entry.cost, 0);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ stages: rows, ledger, total_cost: total }, null, 2)}\n`);
          return;
        }
        for (const row of rows) {
          const seconds = row.startedAt && row.finishedAt ? ((Date.parse(row.finishedAt) - Date.parse(row.startedAt)) / 1000).toFixed(1) : '';
          const counts = Object.entries(row.figures)
            .filter(([, value]) => typeof value === 'number')
            .slice(0, 6)
            .map(([key, value]) => `${key}=${Number.isInteger(value) ? value : (value as number).toFixed(4)}`)
            .join(' ');
          process.stdout.write(`${row.name.padEnd(9)} ${row.state.padEnd(8)} ${seconds ? `${seconds}s`.padEnd(9) : ''.padEnd(9)} ${counts}${row.error ? `  error: ${row.error}` : ''}\n`);
        }
        for (const entry of ledger) {
          process.stdout.write(`cost  ${entry.stage}/${entry.purpose} ${entry.model}: ${entry.requests} requests, ${entry.promptTokens}+${entry.completionTokens} tokens, $${entry.cost.toFixed(4)}\n`);
        }
        process.stdout.write(`total cost $${total.toFixed(4)}\n`);
      } finally {
        database.close();
      }
    });
}
