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

/** Together: pending, queued, running, compressing, uploading, cancel_requested → cancelled, error, completed. */
export function togetherPhase(status: string): JobPhase {
  if (status === 'completed') return 'succeeded';
  if (status === 'error') return 'failed';
  if (status === 'cancelled') return 'cancelled';
  return status === 'pending' || status === 'queued' ? 'pending' : 'running';
}

/** Together reports losses in its `epoch_complete` event messages (`train_loss=…, valid_loss=…`). */
function lossIn(message: string, name: string): number | undefined {
  const match = new RegExp(`${name}=([-+0-9.eE]+)`).exec(message);
  const value = match === null ? Number.NaN : Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** Together's `/fine-tunes`: hyperparameters are top-level fields of the request; events carry no ids. */
export class TogetherFineTuning implements FineTuningApi {
  readonly flavor = 'together' as const;

  constructor(private readonly http: HttpClient) {}

  async create(request: CreateJobRequest): Promise<CreatedJob> {
    const body: Record<string, unknown> = {
      ...request.hyperparameters,
      model: request.model,
      training_file: request.trainingFile,
      validation_file: request.validationFile,
      seed: request.seed,
    };
    if (request.suffix !== undefined) body.suffix = request.suffix;
    // Together evaluates only when asked to: once per epoch when a validation file is given.
    if (body.n_evals === undefined && typeof body.n_epochs === 'number') body.n_evals = body.n_epochs;
    const job = (await this.http.json('POST', '/fine-tunes', jobSchema, body)).data;
    return { job: this.normalize(job, null), body };
  }

  async retrieve(jobId: string): Promise<HostedJob> {
    const job = (await this.http.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}`, jobSchema)).data;
    const phase = togetherPhase(job.status);
    // Together's job object has no error field: the message is in the job_error event.
    const error = phase === 'failed' ? ((await this.allEvents(jobId)).filter((event) => event.type === 'job_error').at(-1)?.message ?? null) : null;
    return this.normalize(job, error);
  }

  /** Events come oldest first without ids: the cursor is the count already seen. */
  async newEvents(jobId: string, cursor: string | undefined): Promise<{ events: HostedEvent[]; cursor: string | undefined }> {
    const all = await this.allEvents(jobId);
    const seen = cursor === undefined ? 0 : Number(cursor);
    const events = all.slice(seen).map((event, index): HostedEvent => {
      const metrics = event.type === 'epoch_complete';
      return {
        id: String(seen + index),
        level: event.level ?? 'info',
        message: event.message,
        step: metrics ? (event.step ?? undefined) : undefined,
        totalSteps: metrics ? (event.total_steps ?? undefined) : undefined,
        trainLoss: metrics ? lossIn(event.message, 'train_loss') : undefined,
        validLoss: metrics ? lossIn(event.message, 'valid_loss') : undefined,
      };
    });
    return { events, cursor: String(all.length) };
  }

  /** Checkpoints carry no losses; they are joined with the `epoch_complete` events of the same step. */
  async checkpoints(jobId: string): Promise<HostedCheckpoint[]> {
    const list = (await this.http.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}/checkpoints`, checkpointListSchema)).data;
    const { events } = await this.newEvents(jobId, undefined);
    return list.data
      .map((checkpoint) => {
        const metrics = events.find((event) => event.step === checkpoint.step && (event.trainLoss !== undefined || event.validLoss !== undefined));
        return {
          id: `${jobId}:${checkpoint.step}`,
          step: checkpoint.step,
          trainLoss: metrics?.trainLoss ?? null,
          validLoss: metrics?.validLoss ?? null,
          resultFiles: [],
          servedModel: null,
        };
      })
      .sort((left, right) => left.step - right.step);
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
