import type { Command } from 'commander';
import { z } from 'zod';
import { loadTask } from '../config/load.js';
import { runPipeline } from '../pipeline/run-pipeline.js';
import { runPrepareSteps } from '../pipeline/prepare.js';
import { STAGES } from '../pipeline/stage-hash.js';
import { stageRunners } from '../pipeline/stage-runners.js';
import { withRun } from './run-command.js';
import { uiCommandLine } from './ui-command.js';

const stageOption = z.enum(STAGES).optional();

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the whole loop: inputs → generate → curate → split → train → evaluate → report; resumes where it stopped')
    .argument('<config>', 'task config (YAML or JSON)')
    .option('--run-dir <dir>', 'run directory (default runs/<task name>)')
    .option('--from <stage>', `re-run from this stage (${STAGES.join(', ')})`)
    .option('--to <stage>', 'stop after this stage')
    .action(async (config: string, options: { runDir?: string; from?: string; to?: string }) => {
      const from = stageOption.parse(options.from);
      const to = stageOption.parse(options.to);
      const runDir = options.runDir ?? `runs/${loadTask(config).config.name}`;
      await withRun(config, runDir, async ({ context, local }) => {
        await runPrepareSteps(context, local.python);
        const result = await runPipeline(context, stageRunners(context, local), { from, to });
        const total = context.state.ledger().reduce((sum, entry) => sum + entry.cost, 0);
        process.stderr.write(`run ${runDir}: ran ${result.ran.join(', ') || 'nothing'}; total cost $${total.toFixed(4)}\n`);
        process.stderr.write(`look at it: ${uiCommandLine(runDir)}\n`);
      });
    });
}
