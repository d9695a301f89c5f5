import { existsSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { StageContext } from '../stages/context.js';
import type { RunPaths } from '../stages/run-paths.js';
import { isStageCurrent, runStage } from './run-stage.js';
import { STAGES, type StageName } from './stage-hash.js';

export type StageRunner = (context: StageContext) => Promise<Record<string, unknown>>;

/** The file each stage leaves behind: a stage is done when its SQLite row and this file agree. */
export function stageOutput(paths: RunPaths, stage: StageName): string {
  switch (stage) {
    case 'inputs':
      return paths.inputs.inputs;
    case 'generate':
      return paths.generate.outputs;
    case 'curate':
      return paths.curate.kept;
    case 'split':
      return paths.split.train;
    case 'train':
      return paths.train.metrics;
    case 'evaluate':
      return paths.evaluate.report;
    case 'report':
      return `${paths.root}/run.json`;
  }
}

/** Done with the current config, and its output is still there. */
export function isStageDone(context: StageContext, stage: StageName): boolean {
  return isStageCurrent(context, stage) && existsSync(stageOutput(context.paths, stage));
}

export interface PipelineOptions {
  from?: StageName;
  to?: StageName;
}

export interface PipelineResult {
  ran: StageName[];
  skipped: StageName[];
}

/**
 * inputs → generate → curate → split → train → evaluate → report. A stage is skipped when it is done with
 * its current config and its output file exists; once one stage runs, every later stage runs too, since its
 * input changed. `--from` re-runs from that stage; `--to` stops after it. Stages absent from `runners`
 * (e.g. no `student:` section: nothing to train) end the run there.
 */
export async function runPipeline(context: StageContext, runners: Partial<Record<StageName, StageRunner>>, options: PipelineOptions = {}): Promise<PipelineResult> {
  const first = STAGES.indexOf(options.from ?? 'inputs');
  const last = STAGES.indexOf(options.to ?? 'report');
  if (first > last) throw new ConfigError(`--from ${options.from} comes after --to ${options.to}`, context.task.file);
  const result: PipelineResult = { ran: [], skipped: [] };
  let rerunRest = false;
  for (const stage of STAGES.slice(0, last + 1)) {
    const runner = runners[stage];
    if (runner === undefined) {
      context.emit({ type: 'stage-skipped', stage, reason: 'not configured' });
      break;
    }
    const index = STAGES.indexOf(stage);
    const current = isStageDone(context, stage);
    if (index < first && current) {
      result.skipped.push(stage);
      continue;
    }
    if (index < first && !current) {
      throw new ConfigError(`cannot start at '${options.from}': stage '${stage}' before it is not done with the current config`, context.task.file);
    }
    const forced = options.from !== undefined && index === first;
    if (current && !rerunRest && !forced) {
      context.emit({ type: 'stage-skipped', stage, reason: 'done with the current config' });
      result.skipped.push(stage);
      continue;
    }
    await runStage(context, stage, () => runner(context));
    result.ran.push(stage);
    rerunRest = true;
    if (context.signal.aborted) break;
  }
  return result;
}
