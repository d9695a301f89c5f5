import { z } from 'zod';
import type { HttpClient } from '../../../llm/http-client.js';
import type { CreatedJob, CreateJobRequest, FineTuningApi, HostedCheckpoint, HostedEvent, HostedJob, JobPhase } from './hosted-job.js';

const jobSchema = z.object({
  id: z.string(),
  status: z.string(),
  model_output_name: z.string().nullable().optional(),
  token_count: z.number().nullable().optional(),
  n_epochs: z.number().nullable().optional(),
});

const jobListSchema = z.object({ data: z.array(z.object({ id: z.string(), training_file: z.string().nullable().optional() })) });

const eventListSchema = z.object({
  data: z.array(
    z.object({
      type: z.string().default(''),
      level: z.string().nullable().optional(),
      message: z.string().default(''),
      step: z.number().nullable().optional(),
      total_steps: z.number().nullable().optional(),
    }),
  ),
});

const checkpointListSchema = z.object({
  data: z.array(z.object({ step: z.number(), path: z.string().optional(), checkpoint_type: z.string().optional() })),
});

/** `GET /fine-tunes/{id}/metrics`: snapshots in chronological order, each a flat record of scalar metrics. */
const metricsSchema = z.object({ metrics: z.array(z.record(z.string(), z.unknown())).default([]) });

/** Together: pending, queued, running, compressing, uploading, cancel_requested → cancelled, error, completed. */
export function togetherPhase(status: string): JobPhase {
  if (status === 'completed') return 'succeeded';
  if (status === 'error') return 'failed';
  if (status === 'cancelled') return 'cancelled';
  return status === 'pending' || status === 'queued' ? 'pending' : 'running';
}

interface MetricPoint {
  step: number;
  trainLoss?: number;
  validLoss?: number;
}

const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * One snapshot of Together's metrics. The document names `train/loss` and `train/global_step`; the validation
 * loss is `eval/loss` (the Hugging Face trainer's name, which Together's runs log; not in the document).
 */
function metricPoint(snapshot: Record<string, unknown>): MetricPoint | undefined {
  const step = finite(snapshot['train/global_step']) ?? finite(snapshot['eval/global_step']);
  if (step === undefined) return undefined;
  return { step, trainLoss: finite(snapshot['train/loss']), validLoss: finite(snapshot['eval/loss']) };
}

/** The latest value of `pick` at or before `step` (a checkpoint is saved after the step's logs). */
function latestAt(points: readonly MetricPoint[], step: number, pick: (point: MetricPoint) => number | undefined): number | null {
  let value: number | null = null;
  for (const point of points) if (point.step <= step && pick(point) !== undefined) value = pick(point)!;
  return value;
}

/**
 * Together's `/fine-tunes` (its OpenAPI `CreateFineTuneRequest`): hyperparameters are top-level fields, the
 * LoRA settings go in `training_type: {type: "Lora", lora_r, lora_alpha, lora_dropout, lora_trainable_modules}`
 * or `{type: "Full"}`, the seed is `random_seed`. Losses come from `/fine-tunes/{id}/metrics`; events carry no ids.
 */
export class TogetherFineTuning implements FineTuningApi {
  readonly flavor = 'together' as const;

  constructor(private readonly http: HttpClient) {}

  async create(request: CreateJobRequest): Promise<CreatedJob> {
    const { lora_r, lora_alpha, lora_dropout, target_modules, ...flat } = request.hyperparameters;
    const body: Record<string, unknown> = {
      ...flat,
      model: request.model,
      training_file: request.trainingFile,
      validation_file: request.validationFile,
      random_seed: request.seed,
      training_type: request.method === 'full' ? { type: 'Full' } : loraTrainingType(lora_r, lora_alpha, lora_dropout, target_modules),
    };
    if (request.suffix !== undefined) body.suffix = request.suffix;
    // Together evaluates only when asked to: once per epoch when a validation file is given.
    if (body.n_evals === undefined && typeof body.n_epochs === 'number') body.n_evals = body.n_epochs;
    const job = (await this.http.json('POST', '/fine-tunes', jobSchema, body)).data;
    return { job: this.normalize(job, null), body };
  }

  async findByTrainingFile(fileId: string): Promise<string | undefined> {
    const list = (await this.http.json('GET', '/fine-tunes', jobListSchema)).data;
    return list.data.find((job) => job.training_file === fileId)?.id;
  }

  async retrieve(jobId: string): Promise<HostedJob> {
    const job = (await this.http.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}`, jobSchema)).data;
    const phase = togetherPhase(job.status);
    // Together's job object has no error field: the message is in the job_error event.
    const error = phase === 'failed' ? ((await this.allEvents(jobId)).filter((event) => event.type === 'job_error').at(-1)?.message ?? null) : null;
    return this.normalize(job, error);
  }

  /** Events come oldest first without ids: the cursor is the count already seen. They carry messages, not losses. */
  async newEvents(jobId: string, cursor: string | undefined): Promise<{ events: HostedEvent[]; cursor: string | undefined }> {
    const all = await this.allEvents(jobId);
    const seen = cursor === undefined ? 0 : Number(cursor);
    const events = all.slice(seen).map((event, index): HostedEvent => {
      const progress = event.type === 'epoch_complete';
      return {
        id: String(seen + index),
        level: event.level ?? 'info',
        message: event.message,
        step: progress ? (event.step ?? undefined) : undefined,
        totalSteps: progress && event.total_steps ? event.total_steps : undefined,
      };
    });
    return { events, cursor: String(all.length) };
  }

  /** Checkpoints carry no losses; each takes the latest train and validation loss logged at or before its step. */
  async checkpoints(jobId: string): Promise<HostedCheckpoint[]> {
    const list = (await this.http.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}/checkpoints`, checkpointListSchema)).data;
    const points = await this.metrics(jobId);
    return list.data
      .map((checkpoint) => ({
        id: `${jobId}:${checkpoint.step}`,
        step: checkpoint.step,
        trainLoss: latestAt(points, checkpoint.step, (point) => point.trainLoss),
        validLoss: latestAt(points, checkpoint.step, (point) => point.validLoss),
        resultFiles: [],
        servedModel: null,
      }))
      .sort((left, right) => left.step - right.step);
  }

  private async metrics(jobId: string): Promise<MetricPoint[]> {
    const { metrics } = (await this.http.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}/metrics`, metricsSchema)).data;
    return metrics.map(metricPoint).filter((point): point is MetricPoint => point !== undefined);
  }

  private async allEvents(jobId: string): Promise<z.infer<typeof eventListSchema>['data']> {
    return (await this.http.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}/events`, eventListSchema)).data.data;
  }

  private normalize(job: z.infer<typeof jobSchema>, error: string | null): HostedJob {
    const phase = togetherPhase(job.status);
    return {
      id: job.id,
      status: job.status,
      phase,
      error,
      trainedTokens: job.token_count ?? null,
      outputModel: phase === 'succeeded' ? (job.model_output_name ?? null) : null,
      totalSteps: null,
      epochs: job.n_epochs ?? null,
    };
  }
}

/** Together's `LoRATrainingType`: `lora_r` and `lora_alpha` are required (8 and 16 are Together's CLI defaults). */
function loraTrainingType(r: unknown, alpha: unknown, dropout: unknown, modules: unknown): Record<string, unknown> {
  const trainingType: Record<string, unknown> = { type: 'Lora', lora_r: r ?? 8, lora_alpha: alpha ?? (typeof r === 'number' ? r * 2 : 16) };
  if (dropout !== undefined) trainingType.lora_dropout = dropout;
  if (modules !== undefined) trainingType.lora_trainable_modules = Array.isArray(modules) ? modules.join(',') : modules;
  return trainingType;
}
