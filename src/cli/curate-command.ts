import type { Command } from 'commander';
import { isStageCurrent, runStage } from '../pipeline/run-stage.js';
import { runCurateStage } from '../stages/curate/curate-stage.js';
import { withRun } from './run-command.js';

export function registerCurate(program: Command): void {
  program
    .command('curate')
    .description('filter teacher outputs into a clean training set; prints the yield funnel with dropped examples')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .action(async (config: string, options: { runDir: string }) => {
      await withRun(config, options.runDir, async ({ context }) => {
        if (!isStageCurrent(context, 'generate')) throw new Error('the generate stage is not done with the current config: run distillery generate first');
        await runStage(context, 'curate', () => runCurateStage(context));
      });
    });
}
