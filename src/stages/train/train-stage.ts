import { existsSync } from 'node:fs';
import { DataError } from '../../errors.js';
import type { StageContext } from '../context.js';
import { HostedTrainer } from './hosted/hosted-trainer.js';
import { LocalTrainer } from './local/local-trainer.js';
import { studentSettings } from './student-settings.js';
import type { Trainer } from './trainer.js';

export interface TrainFigures {
  trainer: 'hosted' | 'local';
  provider: string;
  job_id: string | null;
  base_model: string;
  epochs: number;
  steps: number;
  chosen_step: number | null;
  train_loss: number | null;
  valid_loss: number | null;
  trained_tokens: number | null;
  cost: number;
  served_model: string | null;
  adapter_dir: string | null;
  wall_seconds: number;
  /** The training loop's own time, and the teacher's work during it (see TrainingMetrics). */
  train_seconds: number;
  teacher_calls: number;
  teacher_tokens: number;
  [key: string]: unknown;
}

export interface TrainStageOptions {
  /** Overrides the trainer `student.trainer` names (tests, embedding). */
  trainer?: Trainer;
  /** Start a new job even when an earlier run's hosted job could be re-attached. */
  fresh?: boolean;
}

/** The implementation `student.trainer` names. */
export function trainerFor(kind: 'hosted' | 'local'): Trainer {
  return kind === 'hosted' ? new HostedTrainer() : new LocalTrainer();
}

/** Trains the student on `split/train.jsonl` (validated on `split/validation.jsonl`) with the configured trainer. */
export async function runTrainStage(context: StageContext, options: TrainStageOptions = {}): Promise<TrainFigures> {
  const started = performance.now();
  const settings = studentSettings(context.task);
  const { train, validation } = context.paths.split;
  for (const file of [train, validation]) {
    if (!existsSync(file)) throw new DataError('no split yet: run the split stage first (distillery split)', file);
  }
  const trainer = options.trainer ?? trainerFor(settings.student.trainer);
  const trainingContext = { stage: context, settings, trainFile: train, validationFile: validation };
  const metrics = options.fresh ? await trainer.start(trainingContext) : await trainer.resume(trainingContext);
  const chosen = metrics.chosen_checkpoint;
  return {
    trainer: metrics.trainer,
    provider: metrics.provider,
    job_id: metrics.job_id,
    base_model: metrics.base_model,
    epochs: metrics.epochs.length,
    steps: metrics.total_steps ?? metrics.steps.at(-1)?.step ?? 0,
    chosen_step: chosen?.step ?? null,
    train_loss: chosen?.train_loss ?? null,
    valid_loss: chosen?.valid_loss ?? null,
    trained_tokens: metrics.trained_tokens,
    cost: metrics.cost,
    served_model: metrics.served_model,
    adapter_dir: metrics.adapter_dir,
    wall_seconds: (performance.now() - started) / 1000,
    train_seconds: metrics.train_seconds,
    teacher_calls: metrics.teacher_calls,
    teacher_tokens: metrics.teacher_tokens,
  };
}
