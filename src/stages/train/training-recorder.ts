import { JsonlAppender, writeJsonAtomic } from '../../data/jsonl.js';
import type { StageContext } from '../context.js';
import type { CheckpointSummary, TrainingEvent } from './training-event.js';
import { epochsOf, type TrainingMetrics } from './training-metrics.js';

const STAGE = 'train';

export type MetricsHeader = Pick<TrainingMetrics, 'trainer' | 'provider' | 'base_model' | 'method' | 'checkpoint_rule'>;
export type MetricsOutcome = Pick<TrainingMetrics, 'chosen_checkpoint' | 'trained_tokens' | 'cost' | 'served_model' | 'adapter_dir' | 'merged_dir'>;

/**
 * Where normalized training events go: a line in `train/events.jsonl`, a `training-step` or `log` pipeline
 * event, and the running figures that become `train/metrics.json` (rewritten at each evaluation and at the end).
 */
export class TrainingRecorder {
  private readonly appender: JsonlAppender;
  private readonly started = performance.now();
  private readonly steps: TrainingMetrics['steps'] = [];
  private readonly evaluations: TrainingMetrics['evaluations'] = [];
  private readonly checkpointsById = new Map<string, CheckpointSummary>();
  private totalSteps: number | null = null;
  jobId: string | null = null;

  constructor(
    private readonly context: StageContext,
    private readonly header: MetricsHeader,
  ) {
    this.appender = new JsonlAppender(context.paths.train.events);
  }

  get checkpoints(): CheckpointSummary[] {
    return [...this.checkpointsById.values()].sort((left, right) => left.step - right.step);
  }

  /** Steps and evaluations already known (a resumed job replays them) are not recorded twice. */
  private isRepeat(event: TrainingEvent): boolean {
    if (event.kind === 'step') return this.steps.some((known) => known.step === event.step);
    if (event.kind === 'eval') return this.evaluations.some((known) => known.step === event.step);
    return false;
  }

  record(event: TrainingEvent): void {
    if (this.isRepeat(event)) return;
    this.appender.append({ at: new Date().toISOString(), ...event });
    switch (event.kind) {
      case 'step':
        if (event.totalSteps !== undefined) this.totalSteps = event.totalSteps;
        this.steps.push({ step: event.step, epoch: event.epoch ?? null, train_loss: event.loss ?? null });
        this.context.emit({ type: 'training-step', stage: STAGE, step: event.step, totalSteps: this.totalSteps ?? undefined, epoch: event.epoch, loss: event.loss });
        return;
      case 'eval':
        this.evaluations.push({ step: event.step, epoch: event.epoch ?? null, valid_loss: event.validLoss });
        this.writeMetrics('running');
        return;
      case 'checkpoint':
        this.checkpointsById.set(event.id, { id: event.id, step: event.step, epoch: event.epoch ?? null, train_loss: event.trainLoss ?? null, valid_loss: event.validLoss ?? null });
        return;
      case 'status':
        if (event.totalSteps !== undefined) this.totalSteps = event.totalSteps;
        this.context.emit({ type: 'log', stage: STAGE, level: 'info', message: `job ${event.status}${event.message ? `: ${event.message}` : ''}` });
        return;
      case 'message':
        this.context.emit({ type: 'log', stage: STAGE, level: event.level === 'info' ? 'info' : 'warn', message: event.message });
        return;
    }
  }

  metrics(status: TrainingMetrics['status'], outcome?: MetricsOutcome): TrainingMetrics {
    const steps = [...this.steps].sort((left, right) => left.step - right.step);
    const evaluations = [...this.evaluations].sort((left, right) => left.step - right.step);
    const epochs = epochsOf(steps, evaluations);
    // A checkpoint at an epoch's end that reported no training loss gets that epoch's mean.
    const checkpoints = this.checkpoints.map((checkpoint) => ({
      ...checkpoint,
      train_loss: checkpoint.train_loss ?? epochs.find((epoch) => epoch.step === checkpoint.step)?.train_loss ?? null,
    }));
    const chosen = outcome?.chosen_checkpoint ?? null;
    return {
      ...this.header,
      job_id: this.jobId,
      status,
      total_steps: this.totalSteps,
      steps,
      evaluations,
      epochs,
      checkpoints,
      chosen_checkpoint: chosen === null ? null : (checkpoints.find((checkpoint) => checkpoint.id === chosen.id) ?? chosen),
      trained_tokens: outcome?.trained_tokens ?? null,
      cost: outcome?.cost ?? 0,
      served_model: outcome?.served_model ?? null,
      adapter_dir: outcome?.adapter_dir ?? null,
      merged_dir: outcome?.merged_dir ?? null,
      seconds: (performance.now() - this.started) / 1000,
    };
  }

  writeMetrics(status: TrainingMetrics['status'], outcome?: MetricsOutcome): TrainingMetrics {
    const metrics = this.metrics(status, outcome);
    writeJsonAtomic(this.context.paths.train.metrics, metrics);
    return metrics;
  }

  close(): Promise<void> {
    return this.appender.close();
  }
}
