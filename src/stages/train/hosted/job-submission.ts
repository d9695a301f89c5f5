import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../../../data/jsonl.js';
import { uploadFile } from '../../../llm/files.js';
import type { HttpClient } from '../../../llm/http-client.js';
import type { StageContext } from '../../context.js';
import type { TrainingRecorder } from '../training-recorder.js';
import type { CreateJobRequest, FineTuningApi } from './hosted-job.js';
import { StoredJob, storedJob } from './stored-job.js';

export interface SubmissionOptions {
  stage: StageContext;
  http: HttpClient;
  api: FineTuningApi;
  request: Omit<CreateJobRequest, 'trainingFile' | 'validationFile'>;
  requestHash: string;
  files: { train: string; validation: string };
  /** Re-attach to a stored job for the same request when there is one still alive. */
  reattach: boolean;
  recorder: TrainingRecorder;
}

/**
 * The job to follow: the one an earlier run stored for this very request (unless it failed or was cancelled),
 * or a new one: both files uploaded with purpose `fine-tune`, the job created, its id stored at once.
 */
export async function submitOrReattach(options: SubmissionOptions): Promise<StoredJob> {
  const { stage, api, recorder } = options;
  const stored = options.reattach ? storedJob(stage.state, options.requestHash) : undefined;
  if (stored !== undefined) {
    const earlier = await api.retrieve(stored.jobId);
    if (earlier.phase !== 'failed' && earlier.phase !== 'cancelled') {
      recorder.record({ kind: 'message', level: 'info', message: `re-attaching to fine-tuning job ${stored.jobId} started by an earlier run` });
      return stored;
    }
    recorder.record({ kind: 'message', level: 'warn', message: `the earlier job ${stored.jobId} ended ${earlier.status} (${earlier.error ?? 'no reason given'}); starting a new one` });
  }
  const training = await uploadFile(options.http, readFileSync(options.files.train), 'train.jsonl', 'fine-tune');
  const validation = await uploadFile(options.http, readFileSync(options.files.validation), 'validation.jsonl', 'fine-tune');
  const created = await api.create({ ...options.request, trainingFile: training.id, validationFile: validation.id });
  const job = new StoredJob(stage.state, created.job.id, { flavor: api.flavor, request_hash: options.requestHash });
  writeJsonAtomic(stage.paths.train.job, { trainer: 'hosted', flavor: api.flavor, endpoint: options.http.baseURL, job_id: job.jobId, request: created.body });
  recorder.record({ kind: 'message', level: 'info', message: `created fine-tuning job ${job.jobId}` });
  return job;
}
