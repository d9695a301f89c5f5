import { AbortedError, ConfigError } from '../errors.js';
import type { StageContext } from '../stages/context.js';
import { isStageDone, runPipeline, type StageRunner } from './run-pipeline.js';
import { runStage } from './run-stage.js';
import { STAGES, type StageName } from './stage-hash.js';

/**
 * What `distillery curate|split|train|evaluate` do: every stage before `stage` that is not done with the
 * current config runs first (as `distillery run --to` would run it), then `stage` itself, which the user
 * asked for and so always runs.
 */
export async function runOneStage<F extends Record<string, unknown>>(
  context: StageContext,
  runners: Partial<Record<StageName, StageRunner>>,
  stage: StageName,
  body: () => Promise<F>,
): Promise<F> {
  const index = STAGES.indexOf(stage);
  if (index > 0) {
    await runPipeline(context, runners, { to: STAGES[index - 1] });
    if (context.signal.aborted) throw new AbortedError(`stopped before the ${stage} stage`);
    const missing = STAGES.slice(0, index).find((earlier) => !isStageDone(context, earlier));
    if (missing !== undefined) throw new ConfigError(`${context.task.file}: the ${stage} stage needs the ${missing} stage, which this config does not configure`, context.task.file, missing);
  }
  return runStage(context, stage, body);
}
