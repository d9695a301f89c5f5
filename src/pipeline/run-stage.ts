import { errorMessage } from '../errors.js';
import type { StageContext } from '../stages/context.js';
import { stageHashes, type StageName } from './stage-hash.js';

/** Runs one stage and records it in SQLite: running → done (with its figures) or failed (with the error). */
export async function runStage<F extends Record<string, unknown>>(
  context: StageContext,
  stage: StageName,
  body: () => Promise<F>,
): Promise<F> {
  const hash = stageHashes(context.task, context.paths.root)[stage];
  context.state.startStage(stage, hash);
  context.emit({ type: 'stage-started', stage });
  try {
    const figures = await body();
    context.state.finishStage(stage, figures);
    context.emit({ type: 'stage-done', stage, figures });
    return figures;
  } catch (error) {
    context.state.failStage(stage, errorMessage(error));
    context.emit({ type: 'stage-failed', stage, error: errorMessage(error) });
    throw error;
  }
}

/** Done, and done with the config it has now. */
export function isStageCurrent(context: StageContext, stage: StageName): boolean {
  const row = context.state.stage(stage);
  return row?.state === 'done' && row.configHash === stageHashes(context.task, context.paths.root)[stage];
}
