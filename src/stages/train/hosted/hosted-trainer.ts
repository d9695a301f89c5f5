import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../../../data/jsonl.js';
import { AbortedError, errorMessage } from '../../../errors.js';
import { httpClientFor } from '../../../llm/endpoint.js';
import { uploadFile } from '../../../llm/files.js';
import { priceFor } from '../../../llm/pricing.js';
import { ensureDir } from '../../run-paths.js';
import type { Trainer, TrainingContext } from '../trainer.js';
import { FineTuningJobError } from '../training-errors.js';
import { chooseCheckpoint, type CheckpointSummary } from '../training-event.js';
import type { TrainingResult } from '../training-metrics.js';
import { TrainingRecorder } from '../training-recorder.js';
import { downloadResultFiles } from './checkpoint-files.js';
import { fineTuningApi } from './fine-tuning-api.js';
import { hostedHyperparameters } from './hosted-hyperparameters.js';
import type { FineTuningApi, HostedCheckpoint, HostedJob } from './hosted-job.js';
import { deployNebiusCheckpoint, nebiusModelsBaseUrl } from './nebius-deployment.js';
import { requestHash, saveStoredJob, storedJob, type StoredJobDetail } from './stored-job.js';
import { epochAt, watchJob } from './job-watcher.js';

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
    const endpointName = student.endpoint!;
    const endpoint = await stage.endpoint(endpointName, student.base);
    const api = fineTuningApi(endpoint.http, endpoint.flavor, endpointName, stage.task.file);
    const { values, ignored } = hostedHyperparameters(settings.hyperparameters, student, api.flavor);
    const request = { model: student.base, seed: settings.hyperparameters.seed ?? stage.task.config.split.seed, suffix: student.suffix, hyperparameters: values };
    const hash = requestHash({ baseUrl: endpoint.http.baseURL, flavor: api.flavor, request, trainFile: context.trainFile, validationFile: context.validationFile });
    ensureDir(stage.paths.train.dir);
    const recorder = new TrainingRecorder(stage, { trainer: 'hosted', provider: api.flavor, base_model: student.base, method: student.method, checkpoint_rule: student.checkpoint });
    try {
      if (ignored.length > 0) recorder.record({ kind: 'message', level: 'warn', message: `student.hyperparameters ${ignored.join(', ')}: used by the local trainer only, not sent` });
      let stored = reattach ? storedJob(stage.state, hash) : undefined;
      if (stored !== undefined) {
        const earlier = await api.retrieve(stored.jobId);
        if (earlier.phase === 'failed' || earlier.phase === 'cancelled') {
          recorder.record({ kind: 'message', level: 'warn', message: `the earlier job ${stored.jobId} ended ${earlier.status} (${earlier.error ?? 'no reason given'}); starting a new one` });
          stored = undefined;
        }
      }
      let jobId: string;
      let detail: StoredJobDetail;
      if (stored !== undefined) {
        ({ jobId, detail } = stored);
        recorder.record({ kind: 'message', level: 'info', message: `re-attaching to fine-tuning job ${jobId} started by an earlier run` });
      } else {
        const training = await uploadFile(endpoint.http, readFileSync(context.trainFile), 'train.jsonl', 'fine-tune');
        const validation = await uploadFile(endpoint.http, readFileSync(context.validationFile), 'validation.jsonl', 'fine-tune');
        const created = await api.create({ ...request, trainingFile: training.id, validationFile: validation.id });
        jobId = created.job.id;
        detail = { flavor: api.flavor, request_hash: hash };
        saveStoredJob(stage.state, jobId, detail);
        writeJsonAtomic(stage.paths.train.job, { trainer: 'hosted', flavor: api.flavor, endpoint: endpoint.http.baseURL, job_id: jobId, request: created.body });
        recorder.record({ kind: 'message', level: 'info', message: `created fine-tuning job ${jobId}` });
      }
      recorder.jobId = jobId;
      const save = (patch: Partial<StoredJobDetail>): void => {
        detail = { ...detail, ...patch };
        saveStoredJob(stage.state, jobId, detail);
      };
      const pollMs = student.poll_interval * 1000;
      let job: HostedJob;
      try {
        job = await watchJob(api, jobId, { pollMs, signal: stage.signal, recorder, cursor: detail.event_cursor, totalSteps: detail.total_steps ?? null, onCursor: (cursor) => save({ event_cursor: cursor }) });
        if (job.totalSteps !== null) save({ total_steps: job.totalSteps });
      } catch (error) {
        if (stage.signal.aborted) throw new AbortedError(`stopped watching; fine-tuning job ${jobId} keeps running at the provider, and the next run re-attaches to it`);
        throw error;
      }
      if (job.phase !== 'succeeded') {
        throw new FineTuningJobError(`fine-tuning job ${jobId} ${job.status}: ${job.error ?? 'the provider gave no reason'}`, jobId, job.status);
      }

      const checkpoints = await api.checkpoints(jobId);
      const summaries = checkpoints.map((checkpoint) => summary(checkpoint, job));
      for (const checkpoint of summaries) recordCheckpoint(recorder, checkpoint);
      let chosen = chooseCheckpoint(summaries, student.checkpoint);
      if (chosen === undefined && summaries.length > 0) {
        recorder.record({ kind: 'message', level: 'warn', message: 'no checkpoint reports a validation loss: using the last one' });
        chosen = chooseCheckpoint(summaries, 'last');
      }
      const chosenCheckpoint = checkpoints.find((checkpoint) => checkpoint.id === chosen?.id);
      const isLast = chosen === undefined || chosen.step === summaries.at(-1)?.step;

      let adapterDir: string | null = null;
      if (chosenCheckpoint !== undefined && chosenCheckpoint.resultFiles.length > 0) {
        const files = await downloadResultFiles(endpoint.http, chosenCheckpoint.resultFiles, stage.paths.train.adapter);
        adapterDir = stage.paths.train.adapter;
        recorder.record({ kind: 'message', level: 'info', message: `downloaded ${files.join(', ')} of checkpoint ${chosenCheckpoint.id}` });
      }

      const servedModel = await this.servedModel(context, api, job, chosenCheckpoint, isLast, detail, save, recorder, pollMs);
      const cost = this.price(context, job, detail, save);
      return recorder.writeMetrics('succeeded', { chosen_checkpoint: chosen ?? null, trained_tokens: job.trainedTokens, cost, served_model: servedModel, adapter_dir: adapterDir, merged_dir: null });
    } catch (error) {
      recorder.record({ kind: 'message', level: 'error', message: errorMessage(error) });
      throw error;
    } finally {
      await recorder.close();
    }
  }

  private async servedModel(
    context: TrainingContext,
    api: FineTuningApi,
    job: HostedJob,
    checkpoint: HostedCheckpoint | undefined,
    isLast: boolean,
    detail: StoredJobDetail,
    save: (patch: Partial<StoredJobDetail>) => void,
    recorder: TrainingRecorder,
    pollMs: number,
  ): Promise<string | null> {
    const { stage, settings } = context;
    if (api.flavor === 'nebius') {
      if (detail.served_model !== undefined) return detail.served_model;
      if (checkpoint === undefined) return null;
      const name = settings.student.endpoint!;
      const v0 = httpClientFor(name, { ...stage.task.config.endpoints[name]!, base_url: nebiusModelsBaseUrl(endpointBaseUrl(context)) }, stage.environment);
      const served = await deployNebiusCheckpoint(
        v0,
        { name: settings.student.suffix ?? slug(stage.task.config.name), baseModel: settings.student.base, jobId: job.id, checkpointId: checkpoint.id },
        { pollMs, signal: stage.signal, onStatus: (status) => recorder.record({ kind: 'message', level: 'info', message: `custom model ${status}` }) },
      );
      save({ served_model: served });
      return served;
    }
    if (isLast || checkpoint === undefined) return job.outputModel;
    if (checkpoint.servedModel !== null) return checkpoint.servedModel;
    recorder.record({ kind: 'message', level: 'warn', message: `${api.flavor} serves only the final model; checkpoint at step ${checkpoint.step} was chosen but ${job.outputModel} is what will be called` });
    return job.outputModel;
  }

  /** Trained tokens × `prices[base].training` (USD per 1M), written to the ledger once per job. */
  private price(context: TrainingContext, job: HostedJob, detail: StoredJobDetail, save: (patch: Partial<StoredJobDetail>) => void): number {
    const { stage, settings } = context;
    const price = priceFor(stage.task.config.prices, settings.student.base)?.training;
    const tokens = job.trainedTokens ?? 0;
    const cost = price === undefined ? 0 : (tokens * price) / 1_000_000;
    if (detail.cost_recorded !== true) {
      stage.state.record({ stage: 'train', purpose: 'training', model: settings.student.base, promptTokens: tokens, completionTokens: 0, cost });
      save({ cost_recorded: true });
    }
    if (price === undefined) stage.emit({ type: 'log', stage: 'train', level: 'warn', message: `no training price for ${settings.student.base} under prices:, cost shown as 0` });
    return cost;
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

function endpointBaseUrl(context: TrainingContext): string {
  return context.stage.task.config.endpoints[context.settings.student.endpoint!]!.base_url;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'student';
}
