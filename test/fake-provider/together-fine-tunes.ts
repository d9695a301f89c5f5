import { randomUUID } from 'node:crypto';
import { schemaProblems } from './openapi/document-schemas.js';
import { findOr404, HttpError, jsonObjectBody, requiredString, sendJson } from './http.js';
import { StatusProgression } from './status-progression.js';
import { checkTrainingContent, requireTrainingFile, type TrainingFileSummary } from './training-data.js';
import type { FineTuningOptions } from './fine-tuning.js';
import type { ProviderRuntime, Route } from './types.js';

/**
 * Together's `/v1/fine-tunes` (docs.together.ai reference pages "List Job" and "List checkpoints", which embed
 * Together's OpenAPI): job `FinetuneResponse` with `id` `ft-<uuid>`, ISO `created_at`/`updated_at`, `n_epochs`,
 * `n_checkpoints`, `batch_size`, `learning_rate`, `training_type` (`{type: "Lora", lora_r, lora_alpha, …}` or
 * `{type: "Full"}`), `model_output_name`, `token_count`, `epochs_completed`, `status` one of pending, queued,
 * running, compressing, uploading, cancel_requested, cancelled, error, completed.
 * Events: `{data: [FineTuneEvent]}` (oldest first) with `object: "fine-tune-event"`, `type` from Together's
 * FinetuneEventType enum, `level`, `message`, `step`, … Checkpoints: `{data: [{step, path, created_at, checkpoint_type}]}`.
 * The create request is checked against the `POST /fine-tunes` body schema of Together's OpenAPI document, fields
 * it does not name refused (a top-level `lora` is not Together's; LoRA settings go in `training_type`).
 * `n_checkpoints` checkpoints (default 1: the final model) and `n_evals` evaluations are spread over the epochs.
 * Metrics: `GET /fine-tunes/{id}/metrics` → `{metrics: [{"train/loss", "train/learning_rate", "train/global_step",
 * "train/epoch"}, {"eval/loss", "train/global_step"}, …]}` in step order.
 * Guesses: event/ checkpoint order, `checkpoint_type` values ("Intermediate"/"Final"), checkpoint `path` form, and
 * the `eval/loss` name (the document's example shows only `train/*` names).
 * Flow: pending → queued → running → compressing → uploading → completed; failures end in `error`;
 * cancel: cancel_requested → cancelled.
 */
export interface TogetherJobRecord {
  object: Record<string, unknown> & { id: string; status: string; model: string; model_output_name: string };
  progression: StatusProgression<string>;
  options: FineTuningOptions;
  training: TrainingFileSummary | { problem: string };
  events: Array<Record<string, unknown>>;
  checkpoints: Array<{ step: number; path: string; created_at: string; checkpoint_type: string }>;
  metrics: Array<Record<string, number>>;
}

/** Whether epoch `epoch` of `nEpochs` is one of `count` evenly spread ones (the last epoch always is when count ≥ 1). */
function spreadHits(epoch: number, nEpochs: number, count: number): boolean {
  const per = Math.min(count, nEpochs);
  return per > 0 && Math.floor((epoch * per) / nEpochs) > Math.floor(((epoch - 1) * per) / nEpochs);
}

const isoNow = () => new Date().toISOString();

export function togetherFineTuneRoutes(runtime: ProviderRuntime): Route[] {
  const { state } = runtime;

  function addEvent(record: TogetherJobRecord, type: string, message: string, extra: Record<string, unknown> = {}): void {
    record.events.push({
      object: 'fine-tune-event',
      created_at: isoNow(),
      level: type === 'job_error' ? 'error' : 'info',
      message,
      type,
      param_count: 0,
      token_count: 'problem' in record.training ? 0 : record.training.tokens,
      total_steps: 0,
      wandb_url: '',
      step: 0,
      checkpoint_path: '',
      model_path: '',
      training_offset: 0,
      hash: '',
      ...extra,
    });
  }

  function finishTraining(record: TogetherJobRecord, training: TrainingFileSummary): void {
    const job = record.object;
    const nEpochs = job.n_epochs as number;
    const batchSize = typeof job.batch_size === 'number' ? job.batch_size : 8;
    const stepsPerEpoch = Math.ceil(training.lines / batchSize);
    const evaluations = job.validation_file === '' ? 0 : (job.n_evals as number);
    for (let epoch = 1; epoch <= nEpochs; epoch += 1) {
      const step = epoch * stepsPerEpoch;
      const losses = record.options.losses(epoch, nEpochs);
      record.metrics.push({ 'train/loss': losses.train_loss, 'train/learning_rate': job.learning_rate as number, 'train/global_step': step, 'train/epoch': epoch });
      if (spreadHits(epoch, nEpochs, evaluations)) record.metrics.push({ 'eval/loss': losses.valid_loss, 'train/global_step': step });
      addEvent(record, 'epoch_complete', `Epoch ${epoch}/${nEpochs} completed at step ${step}`, { step, total_steps: nEpochs * stepsPerEpoch });
      if (!spreadHits(epoch, nEpochs, job.n_checkpoints as number)) continue;
      const path = `s3://together-fake/finetune/${job.id}/checkpoint-${step}`;
      addEvent(record, 'checkpoint_save', `Checkpoint saved at step ${step}`, { step, checkpoint_path: path });
      record.checkpoints.push({ step, path, created_at: isoNow(), checkpoint_type: epoch === nEpochs ? 'Final' : 'Intermediate' });
    }
    job.epochs_completed = nEpochs;
    job.token_count = training.tokens * nEpochs;
    addEvent(record, 'training_complete', 'Training completed');
  }

  function enter(record: TogetherJobRecord, statuses: string[]): void {
    const job = record.object;
    for (const status of statuses) {
      job.status = status;
      job.updated_at = isoNow();
      if (status === 'queued') addEvent(record, 'job_pending', 'Job is queued');
      if (status === 'running') {
        addEvent(record, 'job_start', 'Job started');
        addEvent(record, 'training_start', 'Training started');
      }
      if (status === 'compressing' && !('problem' in record.training)) {
        finishTraining(record, record.training);
        addEvent(record, 'model_compressing', 'Compressing output model');
      }
      if (status === 'uploading') addEvent(record, 'model_uploading', 'Uploading output model');
      if (status === 'completed') {
        addEvent(record, 'model_upload_complete', 'Model upload complete');
        addEvent(record, 'job_complete', `Job finished. Model output name: ${job.model_output_name}`);
        state.servedModels.add(job.model_output_name);
      }
      if (status === 'error') addEvent(record, 'job_error', 'problem' in record.training ? `Invalid training file: ${record.training.problem}` : 'Job failed (configured failure).');
      if (status === 'cancel_requested') addEvent(record, 'cancel_requested', 'Cancel requested');
      if (status === 'cancelled') addEvent(record, 'job_stopped', 'Job cancelled');
    }
  }


  return [
    {
      method: 'POST',
      pattern: /^\/v1\/fine-tunes$/,
      handle(ctx) {
        const body = jsonObjectBody(ctx);
        const problems = schemaProblems('together', 'CreateFineTuneRequest', body, { strictRequest: true });
        if (problems.length > 0) throw new HttpError(400, `Invalid fine-tune request: ${problems.join('; ')}`, 'invalid_request_error', null);
        const model = requiredString(body, 'model');
        const trainingFile = requiredString(body, 'training_file');
        const validationFile = typeof body.validation_file === 'string' ? body.validation_file : '';
        const content = requireTrainingFile(state.files, trainingFile, 'training_file');
        if (validationFile !== '') requireTrainingFile(state.files, validationFile, 'validation_file');
        const training = checkTrainingContent(content);
        const options = runtime.behaviour().fineTuning;
        const id = `ft-${randomUUID()}`;
        const suffix = typeof body.suffix === 'string' && body.suffix !== '' ? `-${body.suffix}` : '';
        // Left out: a LoRA (Together's CLI default; the document says only `default: null`).
        const trainingType = (body.training_type ?? { type: 'Lora', lora_r: 8, lora_alpha: 16 }) as Record<string, unknown>;
        const number = (field: string, fallback: number) => (typeof body[field] === 'number' ? (body[field] as number) : fallback);
        const statuses = 'problem' in training ? ['pending', 'error'] : options.outcome === 'failed' ? ['pending', 'queued', 'running', 'error'] : ['pending', 'queued', 'running', 'compressing', 'uploading', 'completed'];
        const object: TogetherJobRecord['object'] = {
          id,
          training_file: trainingFile,
          validation_file: validationFile,
          model,
          model_output_name: `fake-user/${model.split('/').pop() ?? model}${suffix}-${id.slice(3, 11)}`,
          model_output_path: `s3://together-fake/finetune/${id}/output`,
          trainingfile_numlines: 'problem' in training ? 0 : training.lines,
          trainingfile_size: content.length,
          created_at: isoNow(),
          updated_at: isoNow(),
          n_epochs: number('n_epochs', 1),
          n_checkpoints: number('n_checkpoints', 1),
          n_evals: number('n_evals', 0),
          // 'max' resolved to a number: the create answer (FinetuneResponseTruncated) types batch_size as integer.
          batch_size: typeof body.batch_size === 'number' ? body.batch_size : 8,
          learning_rate: number('learning_rate', 0.00001),
          warmup_ratio: number('warmup_ratio', 0),
          max_grad_norm: number('max_grad_norm', 1),
          weight_decay: number('weight_decay', 0),
          training_method: body.training_method ?? { method: 'sft' },
          training_type: trainingType.type === 'Lora' ? { lora_dropout: 0, lora_trainable_modules: 'all-linear', ...trainingType } : { type: 'Full' },
          random_seed: typeof body.random_seed === 'number' ? body.random_seed : null,
          status: 'pending',
          job_id: id,
          events: [],
          token_count: 0,
          param_count: 0,
          total_price: 0,
          epochs_completed: 0,
          queue_depth: 0,
          wandb_project_name: '',
          wandb_url: '',
        };
        const record: TogetherJobRecord = { object, progression: new StatusProgression(statuses, options.pollsPerStatus), options, training, events: [], checkpoints: [], metrics: [] };
        addEvent(record, 'job_pending', 'Fine tune request created');
        state.togetherJobs.set(id, record);
        sendJson(ctx, 200, object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine-tunes$/,
      handle(ctx) {
        sendJson(ctx, 200, { data: [...state.togetherJobs.values()].map((record) => record.object) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine-tunes\/([^/]+)$/,
      handle(ctx, [id = '']) {
        const record = findOr404(state.togetherJobs, id, 'fine-tune job');
        enter(record, record.progression.poll());
        sendJson(ctx, 200, record.object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine-tunes\/([^/]+)\/events$/,
      handle(ctx, [id = '']) {
        sendJson(ctx, 200, { data: findOr404(state.togetherJobs, id, 'fine-tune job').events });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine-tunes\/([^/]+)\/checkpoints$/,
      handle(ctx, [id = '']) {
        sendJson(ctx, 200, { data: findOr404(state.togetherJobs, id, 'fine-tune job').checkpoints });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine-tunes\/([^/]+)\/metrics$/,
      handle(ctx, [id = '']) {
        sendJson(ctx, 200, { metrics: findOr404(state.togetherJobs, id, 'fine-tune job').metrics });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/fine-tunes\/([^/]+)\/cancel$/,
      handle(ctx, [id = '']) {
        const record = findOr404(state.togetherJobs, id, 'fine-tune job');
        if (record.progression.isTerminal || record.object.status === 'cancel_requested') {
          throw new HttpError(400, `Job ${id} is already ${record.object.status}.`, 'invalid_request_error', null);
        }
        enter(record, record.progression.redirect(['cancel_requested', 'cancelled']));
        sendJson(ctx, 200, record.object);
      },
    },
  ];
}
