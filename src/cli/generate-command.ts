import type { Command } from 'commander';
import { runInputsStage } from '../stages/inputs/inputs-stage.js';
import { synthesizeInputs } from '../stages/inputs/synthesize-inputs.js';
import { estimateStage, runGenerateStage } from '../stages/generate/generate-stage.js';
import { isStageCurrent, runStage } from '../pipeline/run-stage.js';
import { withRun } from './run-command.js';

export function registerGenerate(program: Command): void {
  program
    .command('inputs')
    .description('load, validate and filter task inputs into the run directory')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .action(async (config: string, options: { runDir: string }) => {
      await withRun(config, options.runDir, async ({ context }) => {
        await runStage(context, 'inputs', () => runInputsStage(context, context.task.config.inputs.synthesize ? synthesizeInputs : undefined));
      });
    });

  program
    .command('generate')
    .description('ask the teacher about every input (sync or batch); resumes where it stopped')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .option('--estimate', 'print the expected tokens and cost, send nothing')
    .action(async (config: string, options: { runDir: string; estimate?: boolean }) => {
      await withRun(config, options.runDir, async ({ context }) => {
        if (!isStageCurrent(context, 'inputs')) await runStage(context, 'inputs', () => runInputsStage(context, context.task.config.inputs.synthesize ? synthesizeInputs : undefined));
        if (options.estimate) {
          const estimate = estimateStage(context);
          process.stdout.write(`${JSON.stringify(estimate, null, 2)}\n`);
          if (!estimate.priced) process.stderr.write(`note: no price for ${context.task.config.teacher?.model} under prices:, cost shown as 0\n`);
          return;
        }
        await runStage(context, 'generate', () => runGenerateStage(context));
      });
    });
}
