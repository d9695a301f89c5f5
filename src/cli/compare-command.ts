import type { Command } from 'commander';
import { loadTask } from '../config/load.js';
import { runCompare } from '../compare/run-compare.js';
import { compareMarkdown } from '../compare/compare-render.js';
import { runPrepareSteps } from '../pipeline/prepare.js';
import { withRun } from './run-command.js';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('train and evaluate every variant of compare.variants (distillation methods) on the same teacher answers, and write the comparison table')
    .argument('<config>', 'task config (YAML or JSON) with a compare: section')
    .option('--run-dir <dir>', 'run directory (default runs/<task name>-compare)')
    .action(async (config: string, options: { runDir?: string }) => {
      const runDir = options.runDir ?? `runs/${loadTask(config).config.name}-compare`;
      await withRun(config, runDir, async ({ context, local }) => {
        await runPrepareSteps(context, local.python);
        const result = await runCompare(context, local);
        const ran = Object.entries(result.ran).map(([name, stages]) => `${name}: ${stages.join(', ') || 'nothing'}`);
        process.stdout.write(compareMarkdown(result.report));
        process.stderr.write(`compare ${runDir}: shared stages ran ${result.shared.join(', ') || 'nothing'}; ${ran.join('; ')}\n`);
        process.stderr.write(`report: ${context.paths.reportMarkdown} and ${context.paths.reportHtml}\n`);
      });
    });
}
