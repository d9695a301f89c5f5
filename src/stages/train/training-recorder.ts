import { rmSync } from 'node:fs';
import { JsonlAppender, readJsonlTolerant, writeJsonAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import type { StageContext } from '../context.js';
import { trainingEventSchema, type CheckpointSummary, type TrainingEvent } from './training-event.js';
import { epochsOf, type TrainingMetrics } from './training-metrics.js';

const STAGE = 'train';

export type MetricsHeader = Pick<TrainingMetrics, 'trainer' | 'provider' | 'base_model' | 'method' | 'checkpoint_rule'>;
export type MetricsOutcome = Pick<TrainingMetrics, 'chosen_checkpoint' | 'trained_tokens' | 'cost' | 'served_model' | 'adapter_dir' | 'merged_dir'> &
  Partial<Pick<TrainingMetrics, 'train_seconds' | 'teacher_calls' | 'teacher_tokens'>>;

/**
 * Where normalized training events go: a line in `train/events.jsonl`, a `training-step` or `log` pipeline
 * event, and the running figures that become `train/metrics.json` (rewritten at each evaluation and at the end).
 * A new job starts a new `events.jsonl`; a continued one (a hosted job re-attached) reads the old one back first.
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
    options: { continuing?: boolean } = {},
  ) {
    const path = context.paths.train.events;
    if (options.continuing) {
      const earlier = readJsonlTolerant(path);
      for (const value of earlier) {
        const event = trainingEventSchema.safeParse(value);
        if (event.success && !this.isRepeat(event.data)) this.apply(event.data);
      }
      writeJsonlAtomic(path, earlier); // without a torn last line that new lines would be glued to
    } else {
      rmSync(path, { force: true });
    }
    this.appender = new JsonlAppender(path);
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
    this.apply(event);
    switch (event.kind) {
      case 'step':
        this.context.emit({ type: 'training-step', stage: STAGE, step: event.step, totalSteps: this.totalSteps ?? undefined, epoch: event.epoch, loss: event.loss });
        return;
      case 'eval':
        this.writeMetrics('running');
        return;
      case 'status':
        this.context.emit({ type: 'log', stage: STAGE, level: 'info', message: `job ${event.status}${event.message ? `: ${event.message}` : ''}` });
        return;
      case 'message':
        this.context.emit({ type: 'log', stage: STAGE, level: event.level === 'info' ? 'info' : 'warn', message: event.message });
        return;
      case 'checkpoint':
        return;
    }
  }

  /** The running figures an event changes (no output: replayed events go through here only). */
  private apply(event: TrainingEvent): void {
    if ((event.kind === 'step' || event.kind === 'status') && event.totalSteps !== undefined) this.totalSteps = event.totalSteps;
    if (event.kind === 'step') this.steps.push({ step: event.step, epoch: event.epoch ?? null, train_loss: event.loss ?? null });
    if (event.kind === 'eval') this.evaluations.push({ step: event.step, epoch: event.epoch ?? null, valid_loss: event.validLoss });
    if (event.kind === 'checkpoint') {
      this.checkpointsById.set(event.id, { id: event.id, step: event.step, epoch: event.epoch ?? null, train_loss: event.trainLoss ?? null, valid_loss: event.validLoss ?? null });
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
    const seconds = (performance.now() - this.started) / 1000;
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
      seconds,
      train_seconds: outcome?.train_seconds ?? seconds,
      teacher_calls: outcome?.teacher_calls ?? 0,
      teacher_tokens: outcome?.teacher_tokens ?? 0,
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
