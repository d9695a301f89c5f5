import type { Command } from 'commander';
import { runOneStage } from '../pipeline/run-one-stage.js';
import { stageRunners } from '../pipeline/stage-runners.js';
import { runTrainStage } from '../stages/train/train-stage.js';
import { withRun } from './run-command.js';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the student (hosted fine-tuning API or the local worker); re-attaches to a hosted job already started; runs the stages before it that are not done')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .option('--fresh', 'start a new hosted job instead of re-attaching to the one an earlier run started')
    .action(async (config: string, options: { runDir: string; fresh?: boolean }) => {
      await withRun(config, options.runDir, async ({ context, local }) => {
        await runOneStage(context, stageRunners(context, local), 'train', () => runTrainStage(context, { fresh: options.fresh === true }));
      });
    });
}
