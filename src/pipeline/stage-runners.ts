import type { StageContext } from '../stages/context.js';
import { runCurateStage } from '../stages/curate/curate-stage.js';
import { runGenerateStage } from '../stages/generate/generate-stage.js';
import { runInputsStage } from '../stages/inputs/inputs-stage.js';
import { synthesizeInputs } from '../stages/inputs/synthesize-inputs.js';
import { runSplitStage } from '../stages/split/split-stage.js';
import { runTrainStage } from '../stages/train/train-stage.js';
import { runEvaluateStage } from '../stages/evaluate/evaluate-stage.js';
import type { StageRunner } from './run-pipeline.js';
import { writeRunSummary } from './run-summary.js';
import { trainedStudentResolver, type StudentAliases } from './student-target.js';
import type { StageName } from './stage-hash.js';

/**
 * The stage implementations `distillery run` chains. A stage whose config section is absent is left out,
 * and the run ends before it (no `student:`: the run stops after split).
 */
export function stageRunners(context: StageContext, local: StudentAliases): Partial<Record<StageName, StageRunner>> {
  const { config } = context.task;
  const runners: Partial<Record<StageName, StageRunner>> = {
    inputs: () => runInputsStage(context, config.inputs.synthesize ? synthesizeInputs : undefined),
    generate: () => runGenerateStage(context),
    curate: () => runCurateStage(context),
    split: () => runSplitStage(context),
  };
  if (!config.student) return runners;
  runners.train = () => runTrainStage(context);
  if (!config.evaluate) return runners;
  runners.evaluate = () => runEvaluateStage(context, trainedStudentResolver(context, local));
  runners.report = () => writeRunSummary(context);
  return runners;
}
