import { z } from 'zod';
import { trainingEventSchema } from '../stages/train/training-event.js';
import { studentConfigOf } from './run-config.js';
import type { RunFiles } from './run-files.js';

const checkpointSchema = z.object({ id: z.string(), step: z.number(), epoch: z.number().nullable(), train_loss: z.number().nullable(), valid_loss: z.number().nullable() });
/** The fields of `train/metrics.json` the page shows (the file's type is TrainingMetrics). */
const metricsSchema = z.object({
  trainer: z.string(),
  provider: z.string(),
  job_id: z.string().nullable(),
  base_model: z.string(),
  method: z.string(),
  status: z.string(),
  checkpoint_rule: z.string(),
  total_steps: z.number().nullable(),
  steps: z.array(z.object({ step: z.number(), epoch: z.number().nullable(), train_loss: z.number().nullable() })),
  evaluations: z.array(z.object({ step: z.number(), epoch: z.number().nullable(), valid_loss: z.number() })),
  epochs: z.array(z.object({ epoch: z.number(), step: z.number(), train_loss: z.number().nullable(), valid_loss: z.number().nullable() })),
  checkpoints: z.array(checkpointSchema),
  chosen_checkpoint: checkpointSchema.nullable(),
  seconds: z.number(),
});

export interface TrainingView {
  /** Where the curves come from: the finished metrics, or the events of a run still training. */
  source: 'metrics' | 'events' | 'none';
  about: Record<string, string>;
  steps: { step: number; loss: number }[];
  evaluations: { step: number; loss: number }[];
  epochs: { epoch: number; train: number | null; valid: number | null }[];
  chosen: { id: string; step: number } | null;
  checkpoints: { id: string; step: number; train_loss: number | null; valid_loss: number | null }[];
  hyperparameters: Record<string, unknown>;
}

/** While training runs there is no metrics.json yet: the curves so far come from `train/events.jsonl`. */
function fromEvents(files: RunFiles): Pick<TrainingView, 'steps' | 'evaluations' | 'checkpoints'> {
  const view: Pick<TrainingView, 'steps' | 'evaluations' | 'checkpoints'> = { steps: [], evaluations: [], checkpoints: [] };
  for (const event of files.rows(files.paths.train.events).values(trainingEventSchema)) {
    if (event.kind === 'step' && event.loss !== undefined) view.steps.push({ step: event.step, loss: event.loss });
    if (event.kind === 'eval') view.evaluations.push({ step: event.step, loss: event.validLoss });
    if (event.kind === 'checkpoint') view.checkpoints.push({ id: event.id, step: event.step, train_loss: event.trainLoss ?? null, valid_loss: event.validLoss ?? null });
  }
  return view;
}

export function readTrainingView(files: RunFiles): TrainingView {
  const hyperparameters = studentConfigOf(files).hyperparameters ?? {};
  const metrics = metricsSchema.safeParse(files.json(files.paths.train.metrics));
  if (metrics.success) {
    const data = metrics.data;
    return {
      source: 'metrics',
      about: {
        trainer: data.trainer, provider: data.provider, job: data.job_id ?? '–', base_model: data.base_model, method: data.method, status: data.status,
        checkpoint_rule: data.checkpoint_rule, total_steps: String(data.total_steps ?? '–'), seconds: data.seconds.toFixed(1),
      },
      steps: data.steps.flatMap((step) => (step.train_loss === null ? [] : [{ step: step.step, loss: step.train_loss }])),
      evaluations: data.evaluations.map((evaluation) => ({ step: evaluation.step, loss: evaluation.valid_loss })),
      epochs: data.epochs.map((epoch) => ({ epoch: epoch.epoch, train: epoch.train_loss, valid: epoch.valid_loss })),
      chosen: data.chosen_checkpoint ? { id: data.chosen_checkpoint.id, step: data.chosen_checkpoint.step } : null,
      checkpoints: data.checkpoints,
      hyperparameters,
    };
  }
  const events = fromEvents(files);
  const source = events.steps.length + events.evaluations.length > 0 ? 'events' : 'none';
  return { source, about: {}, ...events, epochs: [], chosen: null, hyperparameters };
}
