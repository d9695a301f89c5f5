import { STAGES } from '../pipeline/stage-hash.js';
import { funnelSchema, type CurationFunnel as Funnel } from '../report/earlier-stages.js';
import { evaluationReportSchema, type EvaluationReport } from '../report/evaluation-report-schema.js';
import { trainingEventSchema } from '../stages/train/training-event.js';
import { RunState, type LedgerEntry } from '../store/run-state.js';
import type { RunEntry } from './run-catalog.js';
import { withRunDatabase } from './run-database.js';
import type { RunFiles } from './run-files.js';

export type { Funnel };

export interface StageView {
  name: string;
  state: 'pending' | 'running' | 'done' | 'failed' | 'stale';
  startedAt: string | null;
  finishedAt: string | null;
  /** Finished: its duration; running: time so far. */
  seconds: number | null;
  figures: Record<string, unknown>;
  error: string | null;
  /** A running stage's progress read from its files (rows written, steps logged), as `distillery status` shows it. */
  progress: { done: number; total: number | null; unit: string } | null;
}

export interface RunSnapshot {
  entry: RunEntry;
  stages: StageView[];
  ledger: (LedgerEntry & { requests: number })[];
  totalCost: number;
  report: EvaluationReport | undefined;
  funnel: Funnel | undefined;
}



export function evaluationReportOf(files: RunFiles): EvaluationReport | undefined {
  const parsed = evaluationReportSchema.safeParse(files.json(files.paths.evaluate.report));
  return parsed.success ? parsed.data : undefined;
}

export function funnelOf(files: RunFiles): Funnel | undefined {
  const parsed = funnelSchema.safeParse(files.json(files.paths.curate.funnel));
  return parsed.success ? parsed.data : undefined;
}

/** What a running stage has written so far. */
function progressOf(name: string, files: RunFiles): StageView['progress'] {
  const { paths } = files;
  if (name === 'generate') return { done: files.rows(paths.generate.outputs).count(), total: files.rows(paths.inputs.inputs).count() || null, unit: 'outputs' };
  if (name === 'evaluate') return { done: files.rows(paths.evaluate.predictions).count(), total: null, unit: 'predictions' };
  if (name === 'train') {
    // The step count so far from the last step event; the total from the step or, as the worker sends it,
    // from the status event that opened the job.
    let done = 0;
    let total: number | null = null;
    for (const event of files.rows(paths.train.events).values(trainingEventSchema)) {
      if (event.kind === 'step') done = event.step;
      if ((event.kind === 'step' || event.kind === 'status') && event.totalSteps !== undefined) total = event.totalSteps;
    }
    return { done, total, unit: 'steps' };
  }
  return null;
}

/** The run's stages, ledger, verdict and funnel, read now (the database per call, files through their caches). */
export function readSnapshot(entry: RunEntry, files: RunFiles, now = Date.now()): RunSnapshot {
  const { stages, ledger } = withRunDatabase(
    files.paths.database,
    (database) => {
      const state = new RunState(database);
      return { stages: state.stages(), ledger: state.ledger() };
    },
    { stages: [], ledger: [] },
  );
  const views: StageView[] = STAGES.map((name) => {
    const row = stages.find((stage) => stage.name === name);
    if (row === undefined) return { name, state: 'pending', startedAt: null, finishedAt: null, seconds: null, figures: {}, error: null, progress: null };
    const end = row.finishedAt ? Date.parse(row.finishedAt) : row.state === 'running' ? now : Number.NaN;
    const seconds = (end - Date.parse(row.startedAt)) / 1000;
    return {
      name,
      state: row.state,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      seconds: Number.isFinite(seconds) ? seconds : null,
      figures: row.figures,
      error: row.error,
      progress: row.state === 'running' ? progressOf(name, files) : null,
    };
  });
  return {
    entry,
    stages: views,
    ledger,
    totalCost: ledger.reduce((sum, line) => sum + line.cost, 0),
    report: evaluationReportOf(files),
    funnel: funnelOf(files),
  };
}
