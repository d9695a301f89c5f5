import type { Command } from 'commander';
import { z } from 'zod';
import { runOneStage } from '../pipeline/run-one-stage.js';
import { runStage } from '../pipeline/run-stage.js';
import { stageRunners } from '../pipeline/stage-runners.js';
import { runEvaluateStage } from '../stages/evaluate/evaluate-stage.js';
import { trainedStudentResolver } from '../pipeline/student-target.js';
import { fixedStudent } from '../stages/evaluate/student-resolver.js';
import { withRun } from './run-command.js';

const evaluateOptionsSchema = z.strictObject({
  runDir: z.string().min(1),
  studentEndpoint: z.string().min(1).optional(),
  studentModel: z.string().min(1).optional(),
});

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('compare the student with the teacher, baseline and base: metrics with intervals, judge, latency, cost, verdict; writes report.md and report.html; trains first (and what training needs) unless --student-model names the student')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .option('--student-endpoint <name>', 'endpoint serving the trained student (for models.student: { from: train })', 'local')
    .option('--student-model <id>', 'model id of the trained student on that endpoint')
    .action(async (config: string, rawOptions: unknown) => {
      const options = evaluateOptionsSchema.parse(rawOptions);
      await withRun(config, options.runDir, async ({ context, local }) => {
        // By default the student is the one this run trained; --student-model points at another.
        // A named student needs nothing of this run; the run's own student needs its training done first.
        const figures =
          options.studentModel === undefined
            ? await runOneStage(context, stageRunners(context, local), 'evaluate', () => runEvaluateStage(context, trainedStudentResolver(context, local)))
            : await runStage(context, 'evaluate', () => runEvaluateStage(context, fixedStudent(options.studentEndpoint ?? 'local', options.studentModel!)));
        process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      });
    });
}
