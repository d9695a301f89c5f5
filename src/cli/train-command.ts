import type { Command } from 'commander';
import { isStageCurrent, runStage } from '../pipeline/run-stage.js';
import { runSplitStage } from '../stages/split/split-stage.js';
import { runTrainStage } from '../stages/train/train-stage.js';
import { withRun } from './run-command.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the student (hosted fine-tuning API or the local worker); re-attaches to a hosted job already started')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .option('--fresh', 'start a new hosted job instead of re-attaching to the one an earlier run started')
    .action(async (config: string, options: { runDir: string; fresh?: boolean }) => {
      await withRun(config, options.runDir, async ({ context }) => {
        if (!isStageCurrent(context, 'split')) await runStage(context, 'split', () => runSplitStage(context));
        await runStage(context, 'train', () => runTrainStage(context, { fresh: options.fresh === true }));
      });
    });
}
