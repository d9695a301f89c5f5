import type { Command } from 'commander';
import { runOneStage } from '../pipeline/run-one-stage.js';
import { stageRunners } from '../pipeline/stage-runners.js';
import { runCurateStage } from '../stages/curate/curate-stage.js';
import { withRun } from './run-command.js';

export function registerCurate(program: Command): void {
  program
    .command('curate')
    .description('filter teacher outputs into a clean training set (runs inputs and generate first if they are not done); prints the yield funnel')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .action(async (config: string, options: { runDir: string }) => {
      await withRun(config, options.runDir, async ({ context, local }) => {
        await runOneStage(context, stageRunners(context, local), 'curate', () => runCurateStage(context));
      });
    });
}
