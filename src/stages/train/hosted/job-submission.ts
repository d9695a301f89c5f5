import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../../../data/jsonl.js';
import { uploadFile } from '../../../llm/files.js';
import type { HttpClient } from '../../../llm/http-client.js';
import type { RunState } from '../../../store/run-state.js';
import type { StageContext } from '../../context.js';
import type { CreateJobRequest, FineTuningApi } from './hosted-job.js';
import { StoredJob, storedJob } from './stored-job.js';

/**
 * The job an earlier run stored for this very request, unless it failed or was cancelled (then `note` says
 * why a new one is needed).
 */
export async function reusableJob(api: FineTuningApi, state: RunState, requestHash: string): Promise<{ job?: StoredJob; note?: string }> {
  const stored = storedJob(state, requestHash);
  if (stored === undefined) return {};
  const earlier = await api.retrieve(stored.jobId);
  if (earlier.phase !== 'failed' && earlier.phase !== 'cancelled') return { job: stored };
  return { note: `the earlier job ${stored.jobId} ended ${earlier.status} (${earlier.error ?? 'no reason given'}); starting a new one` };
}

export interface SubmissionOptions {
  stage: StageContext;
  http: HttpClient;
  api: FineTuningApi;
  request: Omit<CreateJobRequest, 'trainingFile' | 'validationFile'>;
  requestHash: string;
  files: { train: string; validation: string };
}

/** A new job: both files uploaded with purpose `fine-tune`, the job created, its id stored in SQLite at once. */
export async function submitJob(options: SubmissionOptions): Promise<StoredJob> {
  const { stage, api } = options;
  const training = await uploadFile(options.http, readFileSync(options.files.train), 'train.jsonl', 'fine-tune');
  const validation = await uploadFile(options.http, readFileSync(options.files.validation), 'validation.jsonl', 'fine-tune');
  const created = await api.create({ ...options.request, trainingFile: training.id, validationFile: validation.id });
  const job = new StoredJob(stage.state, created.job.id, { flavor: api.flavor, request_hash: options.requestHash });
  writeJsonAtomic(stage.paths.train.job, { trainer: 'hosted', flavor: api.flavor, endpoint: options.http.baseURL, job_id: job.jobId, request: created.body });
  return job;
}
