import { z } from 'zod';
import type { HttpClient } from '../../../llm/http-client.js';
import type { CreatedJob, CreateJobRequest, FineTuningApi, HostedCheckpoint, HostedEvent, HostedJob, JobPhase } from './hosted-job.js';

const jobSchema = z.object({
  id: z.string(),
  status: z.string(),
  fine_tuned_model: z.string().nullable().optional(),
  trained_tokens: z.number().nullable().optional(),
  error: z.object({ message: z.string().nullable().optional(), code: z.string().nullable().optional() }).nullable().optional(),
  hyperparameters: z.record(z.string(), z.unknown()).nullable().optional(),
  method: z.object({ supervised: z.object({ hyperparameters: z.record(z.string(), z.unknown()).nullable().optional() }).nullable().optional() }).nullable().optional(),
  total_steps: z.number().nullable().optional(),
});

const jobListSchema = z.object({ data: z.array(z.object({ id: z.string(), training_file: z.string().nullable().optional() })) });

const metricValue = z.number().optional().catch(undefined);
const eventListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      level: z.string().default('info'),
      message: z.string().default(''),
      type: z.string().optional(),
      data: z
        .object({ step: metricValue, total_steps: metricValue, train_loss: metricValue, valid_loss: metricValue, full_valid_loss: metricValue })
        .nullable()
        .optional()
        .catch(null),
    }),
  ),
  has_more: z.boolean().default(false),
});

const checkpointListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      step_number: z.number(),
      fine_tuned_model_checkpoint: z.string().nullable().optional(),
      metrics: z.object({ train_loss: metricValue, valid_loss: metricValue, full_valid_loss: metricValue }).catch({}).default({}),
      result_files: z.array(z.string()).nullable().optional(),
    }),
  ),
  has_more: z.boolean().default(false),
  last_id: z.string().nullable().optional(),
});

/** OpenAI's statuses (Nebius uses the same): validating_files, queued, running, succeeded, failed, cancelled. */
export function openAiPhase(status: string): JobPhase {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed') return 'failed';
  if (status === 'cancelled') return 'cancelled';
  return status === 'running' ? 'running' : 'pending';
}

const PAGE = 100;

/**
 * The validation loss to judge a checkpoint by: OpenAI's `full_valid_loss` (the whole validation file) when
 * reported; `valid_loss` is one mini-batch's loss, too noisy to choose by.
 */
function validationLoss(metrics: { valid_loss?: number | undefined; full_valid_loss?: number | undefined }): number | undefined {
  return metrics.full_valid_loss ?? metrics.valid_loss;
}

/**
 * `/fine_tuning/jobs` as OpenAI and Nebius serve it (Nebius adds `result_files` on checkpoints). OpenAI takes
 * the hyperparameters inside `method: {type: supervised, supervised: {hyperparameters}}` (the top-level
 * `hyperparameters` is deprecated); Nebius documents the top-level object.
 */
export class OpenAiFineTuning implements FineTuningApi {
  constructor(
    private readonly http: HttpClient,
    readonly flavor: 'openai' | 'nebius',
  ) {}

  async create(request: CreateJobRequest): Promise<CreatedJob> {
    const body: Record<string, unknown> = {
      model: request.model,
      training_file: request.trainingFile,
      validation_file: request.validationFile,
      seed: request.seed,
      ...(this.flavor === 'openai' ? { method: { type: 'supervised', supervised: { hyperparameters: request.hyperparameters } } } : { hyperparameters: request.hyperparameters }),
    };
    if (request.suffix !== undefined) body.suffix = request.suffix;
    const job = (await this.http.json('POST', '/fine_tuning/jobs', jobSchema, body)).data;
    return { job: normalizeJob(job), body };
  }

  async findByTrainingFile(fileId: string): Promise<string | undefined> {
    // Newest first: a job whose create answer was just lost is on the first page.
    const page = (await this.http.json('GET', `/fine_tuning/jobs?limit=${PAGE}`, jobListSchema)).data;
    return page.data.find((job) => job.training_file === fileId)?.id;
  }

  async retrieve(jobId: string): Promise<HostedJob> {
    return normalizeJob((await this.http.json('GET', `/fine_tuning/jobs/${encodeURIComponent(jobId)}`, jobSchema)).data);
  }

  /** Lists are newest first: page back (`after`) until the last event already seen, then return the rest oldest first. */
  async newEvents(jobId: string, cursor: string | undefined): Promise<{ events: HostedEvent[]; cursor: string | undefined }> {
    const fresh: HostedEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const query = `limit=${PAGE}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
      const page = (await this.http.json('GET', `/fine_tuning/jobs/${encodeURIComponent(jobId)}/events?${query}`, eventListSchema)).data;
      let reachedSeen = false;
      for (const event of page.data) {
        if (event.id === cursor) {
          reachedSeen = true;
          break;
        }
        const data = event.type === 'metrics' ? event.data : null;
        fresh.push({
          id: event.id,
          level: event.level,
          message: event.message,
          step: data?.step,
          totalSteps: data?.total_steps,
          trainLoss: data?.train_loss,
          validLoss: data === null || data === undefined ? undefined : validationLoss(data),
        });
      }
      if (reachedSeen || !page.has_more || page.data.length === 0) break;
      after = page.data.at(-1)!.id;
    }
    fresh.reverse();
    return { events: fresh, cursor: fresh.at(-1)?.id ?? cursor };
  }

  async checkpoints(jobId: string): Promise<HostedCheckpoint[]> {
    const checkpoints: HostedCheckpoint[] = [];
    let after: string | undefined;
    for (;;) {
      const query = `limit=${PAGE}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
      const page = (await this.http.json('GET', `/fine_tuning/jobs/${encodeURIComponent(jobId)}/checkpoints?${query}`, checkpointListSchema)).data;
      for (const checkpoint of page.data) {
        checkpoints.push({
          id: checkpoint.id,
          step: checkpoint.step_number,
          trainLoss: checkpoint.metrics.train_loss ?? null,
          validLoss: validationLoss(checkpoint.metrics) ?? null,
          resultFiles: checkpoint.result_files ?? [],
          servedModel: this.flavor === 'openai' ? (checkpoint.fine_tuned_model_checkpoint ?? null) : null,
        });
      }
      if (!page.has_more || page.data.length === 0) break;
      after = page.data.at(-1)!.id;
    }
    return checkpoints.sort((left, right) => left.step - right.step);
  }
}

function normalizeJob(job: z.infer<typeof jobSchema>): HostedJob {
  const epochs = job.method?.supervised?.hyperparameters?.n_epochs ?? job.hyperparameters?.n_epochs;
  return {
    id: job.id,
    status: job.status,
    phase: openAiPhase(job.status),
    error: job.error?.message ?? null,
    trainedTokens: job.trained_tokens ?? null,
    outputModel: job.fine_tuned_model ?? null,
    totalSteps: job.total_steps ?? null,
    epochs: typeof epochs === 'number' ? epochs : null,
  };
}
