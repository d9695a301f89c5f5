import { AbortedError, errorMessage } from '../../../errors.js';
import { ensureDir } from '../../run-paths.js';
import type { Trainer, TrainingContext } from '../trainer.js';
import { FineTuningJobError } from '../training-errors.js';
import { chooseCheckpoint, type CheckpointSummary } from '../training-event.js';
import type { TrainingResult } from '../training-metrics.js';
import { TrainingRecorder } from '../training-recorder.js';
import { downloadResultFiles } from './checkpoint-files.js';
import { fineTuningApi } from './fine-tuning-api.js';
import { hostedHyperparameters } from './hosted-hyperparameters.js';
import type { HostedCheckpoint, HostedJob } from './hosted-job.js';
import { epochAt, watchJob } from './job-watcher.js';
import { reusableJob, submitJob } from './job-submission.js';
import { checkBeforeTraining } from './provider-checks.js';
import { servedModelFor } from './served-model.js';
import { requestHash } from './stored-job.js';
import { recordTrainingCost } from './training-cost.js';

/**
 * `student.trainer: hosted`: uploads the split, creates a fine-tuning job (its id goes to SQLite at once),
 * follows it to the end, chooses a checkpoint, fetches its files, makes it callable (Nebius) and prices it.
 */
export class HostedTrainer implements Trainer {
  readonly kind = 'hosted' as const;

  start(context: TrainingContext): Promise<TrainingResult> {
    return this.train(context, false);
  }

  resume(context: TrainingContext): Promise<TrainingResult> {
    return this.train(context, true);
  }

  private async train(context: TrainingContext, reattach: boolean): Promise<TrainingResult> {
    const { stage, settings } = context;
    const { student } = settings;
    const endpoint = await stage.endpoint(student.endpoint!, student.base);
    const api = fineTuningApi(endpoint.http, endpoint.flavor, student.endpoint!, stage.task.file);
    const { values, ignored } = hostedHyperparameters(settings.hyperparameters, student, api.flavor, stage.task.file);
    const request = { model: student.base, seed: settings.hyperparameters.seed ?? stage.task.config.split.seed, suffix: student.suffix, method: student.method, hyperparameters: values };
    const files = { train: context.trainFile, validation: context.validationFile };
    const hash = requestHash({ baseUrl: endpoint.http.baseURL, flavor: api.flavor, request, trainFile: files.train, validationFile: files.validation });
    ensureDir(stage.paths.train.dir);
    const reusable = reattach ? await reusableJob(api, stage.state, hash) : {};
    const warnings = reusable.job === undefined ? await checkBeforeTraining({ flavor: api.flavor, student, values, http: endpoint.http, file: stage.task.file }) : [];
    const header = { trainer: 'hosted', provider: api.flavor, base_model: student.base, method: student.method, checkpoint_rule: student.checkpoint } as const;
    const recorder = new TrainingRecorder(stage, header, { continuing: reusable.job !== undefined });
    try {
      if (ignored.length > 0) recorder.record({ kind: 'message', level: 'warn', message: `student.hyperparameters ${ignored.join(', ')}: not taken by ${api.flavor} fine-tuning, not sent` });
      for (const warning of warnings) recorder.record({ kind: 'message', level: 'warn', message: warning });
      if (reusable.note !== undefined) recorder.record({ kind: 'message', level: 'warn', message: reusable.note });
      const submitted = reusable.job === undefined ? await submitJob({ stage, http: endpoint.http, api, request, requestHash: hash, files, recover: reattach }) : undefined;
      const stored = reusable.job ?? submitted!.job;
      recorder.record({
        kind: 'message',
        level: submitted?.recovered ? 'warn' : 'info',
        message:
          submitted === undefined ? `re-attaching to fine-tuning job ${stored.jobId} started by an earlier run`
          : submitted.recovered ? `re-attaching to fine-tuning job ${stored.jobId}: an earlier run's create lost its answer, and the job was found at the provider by its training file`
          : `created fine-tuning job ${stored.jobId}`,
      });
      recorder.jobId = stored.jobId;
      const pollMs = student.poll_interval * 1000;
      let job: HostedJob;
      try {
        const { detail } = stored;
        job = await watchJob(api, stored.jobId, { pollMs, signal: stage.signal, recorder, cursor: detail.event_cursor, totalSteps: detail.total_steps ?? null, onCursor: (cursor) => stored.update({ event_cursor: cursor }) });
        if (job.totalSteps !== null) stored.update({ total_steps: job.totalSteps });
      } catch (error) {
        if (stage.signal.aborted) throw new AbortedError(`stopped watching; fine-tuning job ${stored.jobId} keeps running at the provider, and the next run re-attaches to it`);
        throw error;
      }
      if (job.phase !== 'succeeded') {
        throw new FineTuningJobError(`fine-tuning job ${job.id} ${job.status}: ${job.error ?? 'the provider gave no reason'}`, job.id, job.status);
      }

      const checkpoints = await api.checkpoints(job.id);
      const summaries = checkpoints.map((checkpoint) => summary(checkpoint, job));
      for (const checkpoint of summaries) recordCheckpoint(recorder, checkpoint);
      let chosen = chooseCheckpoint(summaries, student.checkpoint);
      if (chosen === undefined && summaries.length > 0) {
        recorder.record({ kind: 'message', level: 'warn', message: 'no checkpoint reports a validation loss: using the last one' });
        chosen = chooseCheckpoint(summaries, 'last');
      }
      const checkpoint = checkpoints.find((candidate) => candidate.id === chosen?.id);

      let adapterDir: string | null = null;
      if (checkpoint !== undefined && checkpoint.resultFiles.length > 0) {
        const written = await downloadResultFiles(endpoint.http, checkpoint.resultFiles, stage.paths.train.adapter);
        adapterDir = stage.paths.train.adapter;
        recorder.record({ kind: 'message', level: 'info', message: `downloaded ${written.join(', ')} of checkpoint ${checkpoint.id}` });
      }
      const isLast = chosen === undefined || chosen.step === summaries.at(-1)?.step;
      const servedModel = await servedModelFor({ context, api, job, stored, checkpoint, isLast, recorder, pollMs });
      const cost = recordTrainingCost(context, job, stored);
      return recorder.writeMetrics('succeeded', { chosen_checkpoint: chosen ?? null, trained_tokens: job.trainedTokens, cost, served_model: servedModel, adapter_dir: adapterDir, merged_dir: null });
    } catch (error) {
      recorder.record({ kind: 'message', level: 'error', message: errorMessage(error) });
      throw error;
    } finally {
      await recorder.close();
    }
  }
}

/** A checkpoint, and its losses as step and eval (they fill the epochs when a re-attached run saw no events). */
function recordCheckpoint(recorder: TrainingRecorder, checkpoint: CheckpointSummary): void {
  const epoch = checkpoint.epoch ?? undefined;
  recorder.record({ kind: 'checkpoint', id: checkpoint.id, step: checkpoint.step, epoch, trainLoss: checkpoint.train_loss ?? undefined, validLoss: checkpoint.valid_loss ?? undefined });
  if (checkpoint.train_loss !== null) recorder.record({ kind: 'step', step: checkpoint.step, epoch, loss: checkpoint.train_loss });
  if (checkpoint.valid_loss !== null) recorder.record({ kind: 'eval', step: checkpoint.step, epoch, validLoss: checkpoint.valid_loss });
}

function summary(checkpoint: HostedCheckpoint, job: HostedJob): CheckpointSummary {
  return { id: checkpoint.id, step: checkpoint.step, epoch: epochAt(checkpoint.step, job.totalSteps, job.epochs) ?? null, train_loss: checkpoint.trainLoss, valid_loss: checkpoint.validLoss };
}
