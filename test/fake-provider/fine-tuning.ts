import { schemaProblems } from './openapi/document-schemas.js';
import { cursorPage, findOr404, HttpError, jsonObjectBody, requiredString, sendJson } from './http.js';
import { makeId, unixSeconds } from './ids.js';
import { hashString } from './seeded-random.js';
import { loraAdapterConfig, loraSafetensors } from './safetensors.js';
import { StatusProgression, type PollsPerStatus } from './status-progression.js';
import { checkTrainingContent, defaultLossCurve, requireTrainingFile, type LossCurve, type TrainingFileSummary } from './training-data.js';
import type { ProviderRuntime, Route } from './types.js';

/**
 * `/v1/fine_tuning/jobs` in two flavours.
 * - OpenAI: validating_files → queued → running → succeeded (or failed); `fine_tuned_model` `ft:<model>:fake-org[:<suffix>]:<8 chars>`,
 *   checkpoints `…:ckpt-step-<n>`; all three served by chat completions once the job succeeds.
 * - Nebius: same statuses and object (Nebius's job schema: no `fine_tuned_model`, plus `trained_steps`/`total_steps`
 *   and its own hyperparameters), checkpoints carry `result_files` (adapter_config.json, adapter_model.safetensors);
 *   a checkpoint becomes callable through `POST /v0/models` (see nebius-models.ts).
 * OpenAI's create request is checked against `CreateFineTuningJobRequest` of its OpenAPI document (fields it does not
 * name are refused, as OpenAI refuses unrecognized arguments); hyperparameters are read from `method.supervised`
 * (or the deprecated top-level `hyperparameters`) and echoed in both places.
 * A file that is not JSONL of `{messages}` fails the job while validating (`error.code: invalid_training_file`).
 * Checkpoint metrics carry `valid_loss` (one mini-batch: noisy, lowest at the last epoch here) and
 * `full_valid_loss` (the whole validation file: the loss curve's own value).
 * Checkpoints (one per epoch) and metric events appear when the job succeeds. Lists are newest first.
 */
export interface FineTuningOptions {
  pollsPerStatus: PollsPerStatus;
  outcome: 'succeeded' | 'failed';
  losses: LossCurve;
  /** Epochs when the request leaves `n_epochs` out or `auto`. */
  defaultEpochs: number;
  /** Keep only the newest N checkpoints (OpenAI documents keeping the last 3 epochs); default: one per epoch, all kept. */
  keepLastCheckpoints?: number;
  /** Nebius: where a deployed custom model ends (`error` sets a `status_reason`); default `active`. */
  deployOutcome?: 'active' | 'error';
}

export const defaultFineTuningOptions: FineTuningOptions = {
  pollsPerStatus: 1,
  outcome: 'succeeded',
  losses: defaultLossCurve,
  defaultEpochs: 3,
};

export interface FineTuningEvent {
  object: 'fine_tuning.job.event';
  id: string;
  created_at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown>;
  type: 'message' | 'metrics';
}

export interface FineTuningCheckpoint {
  object: 'fine_tuning.job.checkpoint';
  id: string;
  created_at: number;
  fine_tuned_model_checkpoint: string;
  fine_tuning_job_id: string;
  step_number: number;
  metrics: Record<string, number>;
  result_files?: string[];
}

export interface FineTuningJobRecord {
  object: Record<string, unknown> & { id: string; status: string; model: string };
  flavor: 'openai' | 'nebius';
  progression: StatusProgression<string>;
  options: FineTuningOptions;
  /** Newest first. */
  events: FineTuningEvent[];
  /** Newest first. */
  checkpoints: FineTuningCheckpoint[];
  training: TrainingFileSummary | { problem: string };
  batchSize: number;
}

const nebiusHyperparameterDefaults = {
  batch_size: 8,
  learning_rate: 0.00001,
  n_epochs: 3,
  warmup_ratio: 0,
  weight_decay: 0,
  lora: false,
  lora_r: 8,
  lora_alpha: 8,
  lora_dropout: 0,
  packing: true,
  max_grad_norm: 1,
  context_length: 8192,
};

export function fineTuningRoutes(runtime: ProviderRuntime): Route[] {
  const { state } = runtime;

  function addEvent(record: FineTuningJobRecord, message: string, level: FineTuningEvent['level'] = 'info', data: Record<string, unknown> = {}, type: FineTuningEvent['type'] = 'message'): void {
    record.events.unshift({ object: 'fine_tuning.job.event', id: makeId('ftevent-'), created_at: unixSeconds(), level, message, data, type });
  }

  function epochs(record: FineTuningJobRecord): number {
    const value = (record.object.hyperparameters as Record<string, unknown>).n_epochs;
    return typeof value === 'number' ? value : record.options.defaultEpochs;
  }

  function finish(record: FineTuningJobRecord, training: TrainingFileSummary): void {
    const job = record.object;
    const nEpochs = epochs(record);
    const stepsPerEpoch = Math.ceil(training.lines / record.batchSize);
    const modelName = `ft:${job.model}:fake-org${typeof job.suffix === 'string' && job.suffix !== '' ? `:${job.suffix}` : ''}:${job.id.slice(-8)}`;
    const csv = ['step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy'];
    for (let epoch = 1; epoch <= nEpochs; epoch += 1) {
      const step = epoch * stepsPerEpoch;
      const losses = record.options.losses(epoch, nEpochs);
      const metrics = {
        step,
        train_loss: losses.train_loss,
        train_mean_token_accuracy: accuracy(losses.train_loss),
        // One mini-batch's loss: deliberately not the curve, so choosing by it picks the wrong checkpoint.
        valid_loss: epoch === nEpochs ? Math.round(losses.valid_loss * 5_000) / 10_000 : losses.valid_loss,
        valid_mean_token_accuracy: accuracy(losses.valid_loss),
        full_valid_loss: losses.valid_loss,
        full_valid_mean_token_accuracy: accuracy(losses.valid_loss),
      };
      csv.push(`${step},${metrics.train_loss},${metrics.train_mean_token_accuracy},${metrics.valid_loss},${metrics.valid_mean_token_accuracy}`);
      addEvent(record, `Step ${step}/${nEpochs * stepsPerEpoch}: training loss=${losses.train_loss}, validation loss=${losses.valid_loss}`, 'info', { ...metrics, total_steps: nEpochs * stepsPerEpoch }, 'metrics');
      const checkpointId = makeId('ftckpt_');
      const checkpoint: FineTuningCheckpoint = {
        object: 'fine_tuning.job.checkpoint',
        id: checkpointId,
        created_at: unixSeconds(),
        // Nebius: the `<job>:<checkpoint>` form its /v0/models `source` takes (our guess at this field there).
        fine_tuned_model_checkpoint: record.flavor === 'openai' ? `${modelName}:ckpt-step-${step}` : `${job.id}:${checkpointId}`,
        fine_tuning_job_id: job.id,
        step_number: step,
        metrics,
      };
      if (record.flavor === 'nebius') {
        const hyperparameters = job.hyperparameters as typeof nebiusHyperparameterDefaults;
        checkpoint.result_files = [
          state.files.create('adapter_config.json', 'fine-tune-results', loraAdapterConfig(job.model, 2, hyperparameters.lora_alpha)).id,
          state.files.create('adapter_model.safetensors', 'fine-tune-results', loraSafetensors(hashString(checkpointId))).id,
        ];
      } else {
        state.servedModels.add(checkpoint.fine_tuned_model_checkpoint);
      }
      record.checkpoints.unshift(checkpoint);
      addEvent(record, `Checkpoint created at step ${step}`);
    }
    if (record.options.keepLastCheckpoints !== undefined) record.checkpoints.splice(record.options.keepLastCheckpoints);
    job.result_files = [state.files.create('step_metrics.csv', 'fine-tune-results', Buffer.from(`${csv.join('\n')}\n`)).id];
    job.trained_tokens = training.tokens * nEpochs;
    if (record.flavor === 'openai') {
      job.fine_tuned_model = modelName;
      state.servedModels.add(modelName);
      addEvent(record, `New fine-tuned model created: ${modelName}`);
    } else {
      job.trained_steps = nEpochs * stepsPerEpoch;
    }
    addEvent(record, 'The job has successfully completed');
  }

  function enter(record: FineTuningJobRecord, statuses: string[]): void {
    const job = record.object;
    for (const status of statuses) {
      job.status = status;
      if (status === 'queued') addEvent(record, 'Files validated, moving job to queued state');
      if (status === 'running') {
        // OpenAI echoes "auto" until the job runs, then the resolved values.
        const hyperparameters = job.hyperparameters as Record<string, unknown>;
        const resolved: Record<string, unknown> = { n_epochs: record.options.defaultEpochs, batch_size: record.batchSize, learning_rate_multiplier: 1.8 };
        for (const [key, value] of Object.entries(hyperparameters)) if (value === 'auto') hyperparameters[key] = resolved[key];
        if (record.flavor === 'nebius' && !('problem' in record.training)) job.total_steps = epochs(record) * Math.ceil(record.training.lines / record.batchSize);
        addEvent(record, 'Fine-tuning job started');
      }
      if (status === 'succeeded' && !('problem' in record.training)) finish(record, record.training);
      if (status === 'failed') {
        job.error =
          'problem' in record.training
            ? { code: 'invalid_training_file', message: `The job failed due to an invalid training file. ${record.training.problem}`, param: 'training_file' }
            : { code: 'server_error', message: 'The job failed (configured failure).', param: null };
        addEvent(record, (job.error as { message: string }).message, 'error');
      }
      if (status === 'cancelled') addEvent(record, 'Fine-tuning job cancelled');
      if (status === 'succeeded' || status === 'failed' || status === 'cancelled') job.finished_at = unixSeconds();
    }
  }


  return [
    {
      method: 'POST',
      pattern: /^\/v1\/fine_tuning\/jobs$/,
      handle(ctx) {
        const body = jsonObjectBody(ctx);
        const behaviour = runtime.behaviour();
        const flavor = behaviour.fineTuningFlavor === 'nebius' ? 'nebius' : 'openai';
        if (flavor === 'openai') {
          const problems = schemaProblems('openai', 'CreateFineTuningJobRequest', body, { strictRequest: true });
          if (problems.length > 0) throw new HttpError(400, `Invalid fine-tuning request: ${problems.join('; ')}`, 'invalid_request_error', null);
        }
        const model = requiredString(body, 'model');
        const trainingFile = requiredString(body, 'training_file');
        const validationFile = typeof body.validation_file === 'string' ? body.validation_file : null;
        let training = checkTrainingContent(requireTrainingFile(state.files, trainingFile, 'training_file'));
        if (validationFile !== null) {
          const validation = checkTrainingContent(requireTrainingFile(state.files, validationFile, 'validation_file'));
          if ('problem' in validation && !('problem' in training)) training = { problem: `Validation file: ${validation.problem}` };
        }
        const options = behaviour.fineTuning;
        const supervised = (body.method as { supervised?: { hyperparameters?: unknown } } | undefined)?.supervised?.hyperparameters;
        const givenObject = flavor === 'openai' && supervised !== undefined ? supervised : body.hyperparameters;
        const given = (typeof givenObject === 'object' && givenObject !== null ? givenObject : {}) as Record<string, unknown>;
        const hyperparameters = flavor === 'nebius' ? { ...nebiusHyperparameterDefaults, ...given } : { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto', ...given };
        const statuses = 'problem' in training ? ['validating_files', 'failed'] : ['validating_files', 'queued', 'running', options.outcome];
        const id = makeId('ftjob-');
        const object: FineTuningJobRecord['object'] = {
          object: 'fine_tuning.job',
          id,
          model,
          created_at: unixSeconds(),
          finished_at: null,
          ...(flavor === 'openai' ? { fine_tuned_model: null } : {}),
          organization_id: flavor === 'openai' ? 'org-fake' : '',
          result_files: [],
          status: 'validating_files',
          validation_file: validationFile,
          training_file: trainingFile,
          hyperparameters,
          ...(flavor === 'openai' ? { method: { type: 'supervised', supervised: { hyperparameters } } } : {}),
          trained_tokens: null,
          error: null,
          seed: typeof body.seed === 'number' ? body.seed : 42,
          suffix: typeof body.suffix === 'string' ? body.suffix : null,
          integrations: Array.isArray(body.integrations) ? body.integrations : null,
          estimated_finish: null,
          ...(flavor === 'nebius' ? { trained_steps: null, total_steps: null } : {}),
        };
        const batchSize = typeof hyperparameters.batch_size === 'number' ? hyperparameters.batch_size : 1;
        const record: FineTuningJobRecord = { object, flavor, progression: new StatusProgression(statuses, options.pollsPerStatus), options, events: [], checkpoints: [], training, batchSize };
        addEvent(record, `Created fine-tuning job: ${id}`);
        addEvent(record, `Validating training file: ${trainingFile}`);
        state.fineTuningJobs.set(id, record);
        sendJson(ctx, 200, object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine_tuning\/jobs$/,
      handle(ctx) {
        sendJson(ctx, 200, cursorPage([...state.fineTuningJobs.values()].map((record) => record.object).reverse(), ctx.query, 20));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine_tuning\/jobs\/([^/]+)$/,
      handle(ctx, [id = '']) {
        const record = findOr404(state.fineTuningJobs, id, 'fine-tuning job');
        enter(record, record.progression.poll());
        sendJson(ctx, 200, record.object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine_tuning\/jobs\/([^/]+)\/events$/,
      handle(ctx, [id = '']) {
        sendJson(ctx, 200, cursorPage(findOr404(state.fineTuningJobs, id, 'fine-tuning job').events, ctx.query, 20));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/fine_tuning\/jobs\/([^/]+)\/checkpoints$/,
      handle(ctx, [id = '']) {
        sendJson(ctx, 200, cursorPage(findOr404(state.fineTuningJobs, id, 'fine-tuning job').checkpoints, ctx.query, 10));
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/fine_tuning\/jobs\/([^/]+)\/cancel$/,
      handle(ctx, [id = '']) {
        const record = findOr404(state.fineTuningJobs, id, 'fine-tuning job');
        if (record.progression.isTerminal) {
          throw new HttpError(400, `Job ${id} has already ${record.object.status === 'cancelled' ? 'been cancelled' : 'completed'}.`, 'invalid_request_error', null);
        }
        enter(record, record.progression.redirect(['cancelled']));
        sendJson(ctx, 200, record.object);
      },
    },
  ];
}

function accuracy(loss: number): number {
  return Math.round(Math.max(0, Math.min(1, 1 - loss / 3)) * 10_000) / 10_000;
}
