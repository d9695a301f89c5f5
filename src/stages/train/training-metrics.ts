import type { CheckpointSummary } from './training-event.js';

/**
 * `train/metrics.json`: one shape for both trainers, so the CLI, the report and the dashboard never ask which
 * one ran.
 */
export interface TrainingMetrics {
  trainer: 'hosted' | 'local';
  /** `openai | nebius | together` for hosted jobs, `worker` for local ones. */
  provider: string;
  job_id: string | null;
  base_model: string;
  method: string;
  status: 'running' | 'succeeded';
  checkpoint_rule: 'last' | 'best_valid_loss';
  total_steps: number | null;
  steps: { step: number; epoch: number | null; train_loss: number | null }[];
  evaluations: { step: number; epoch: number | null; valid_loss: number }[];
  /** Per epoch: the mean of its logged training losses and the validation loss at its end. */
  epochs: { epoch: number; step: number; train_loss: number | null; valid_loss: number | null }[];
  checkpoints: CheckpointSummary[];
  chosen_checkpoint: CheckpointSummary | null;
  trained_tokens: number | null;
  /** USD (0 for local training). */
  cost: number;
  /** The model name to call for the student (hosted), or null (local: served from `adapter_dir`). */
  served_model: string | null;
  adapter_dir: string | null;
  merged_dir: string | null;
  seconds: number;
  /** Time in the training loop itself (with its evaluations), without environment, model loading and saving. */
  train_seconds: number;
  /** Teacher forward passes or requests made while training (kd, on_policy; validation included), 0 otherwise. */
  teacher_calls: number;
  /** Tokens those teacher calls scored (the student's sampled tokens for on_policy). */
  teacher_tokens: number;
}

/** What a trainer returns: the metrics it wrote. */
export type TrainingResult = TrainingMetrics;

/** Groups step losses and evaluations into epochs: epoch `e` holds everything logged in (e-1, e]. */
export function epochsOf(steps: TrainingMetrics['steps'], evaluations: TrainingMetrics['evaluations']): TrainingMetrics['epochs'] {
  const byEpoch = new Map<number, { step: number; losses: number[]; valid_loss: number | null }>();
  const entry = (epoch: number) => {
    const number = Math.max(1, Math.ceil(epoch - 1e-6));
    let found = byEpoch.get(number);
    if (found === undefined) byEpoch.set(number, (found = { step: 0, losses: [], valid_loss: null }));
    return found;
  };
  for (const step of steps) {
    if (step.epoch === null) continue;
    const found = entry(step.epoch);
    found.step = Math.max(found.step, step.step);
    if (step.train_loss !== null) found.losses.push(step.train_loss);
  }
  for (const evaluation of evaluations) {
    if (evaluation.epoch === null) continue;
    const found = entry(evaluation.epoch);
    found.step = Math.max(found.step, evaluation.step);
    found.valid_loss = evaluation.valid_loss;
  }
  return [...byEpoch.entries()]
    .sort(([left], [right]) => left - right)
    .map(([epoch, found]) => ({
      epoch,
      step: found.step,
      train_loss: found.losses.length === 0 ? null : found.losses.reduce((sum, loss) => sum + loss, 0) / found.losses.length,
      valid_loss: found.valid_loss,
    }));
}
