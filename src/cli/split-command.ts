import type { Command } from 'commander';
import { runOneStage } from '../pipeline/run-one-stage.js';
import { stageRunners } from '../pipeline/stage-runners.js';
import { runSplitStage } from '../stages/split/split-stage.js';
import { withRun } from './run-command.js';

export function registerSplit(program: Command): void {
  program
    .command('split')
    .description('seeded train/validation split of the curated rows, in chat messages form (and Alpaca, prompt/completion); runs the stages before it that are not done')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .action(async (config: string, options: { runDir: string }) => {
      await withRun(config, options.runDir, async ({ context, local }) => {
        await runOneStage(context, stageRunners(context, local), 'split', () => runSplitStage(context));
      });
    });
}
