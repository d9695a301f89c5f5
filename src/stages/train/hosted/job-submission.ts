import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
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
  /** Look for the job an earlier create of this very request may have made before its answer was lost (not with --fresh). */
  recover?: boolean;
}

/** Written before a create is sent, removed once its id is stored: while it exists, the job may exist unbeknown. */
const pendingCreateSchema = z.object({ request_hash: z.string(), training_file: z.string() });

function pendingCreatePath(stage: StageContext): string {
  return join(stage.paths.train.dir, 'create-pending.json');
}

function pendingCreate(stage: StageContext, requestHash: string): z.infer<typeof pendingCreateSchema> | undefined {
  const path = pendingCreatePath(stage);
  if (!existsSync(path)) return undefined;
  try {
    const pending = pendingCreateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8'))).data;
    return pending?.request_hash === requestHash ? pending : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A new job: both files uploaded with purpose `fine-tune`, the job created, its id stored in SQLite at once.
 * A create that failed after it may have reached the provider (HttpClient does not repeat it) leaves a marker
 * naming its training file; the next run looks for a job made from that file before creating one.
 */
export async function submitJob(options: SubmissionOptions): Promise<{ job: StoredJob; recovered: boolean }> {
  const { stage, api } = options;
  const earlier = options.recover === true ? pendingCreate(stage, options.requestHash) : undefined;
  const found = earlier === undefined ? undefined : await api.findByTrainingFile(earlier.training_file);
  if (found !== undefined) {
    const job = new StoredJob(stage.state, found, { flavor: api.flavor, request_hash: options.requestHash });
    writeJsonAtomic(stage.paths.train.job, { trainer: 'hosted', flavor: api.flavor, endpoint: options.http.baseURL, job_id: job.jobId });
    rmSync(pendingCreatePath(stage), { force: true });
    return { job, recovered: true };
  }
  const training = await uploadFile(options.http, readFileSync(options.files.train), 'train.jsonl', 'fine-tune');
  const validation = await uploadFile(options.http, readFileSync(options.files.validation), 'validation.jsonl', 'fine-tune');
  writeJsonAtomic(pendingCreatePath(stage), { request_hash: options.requestHash, training_file: training.id });
  const created = await api.create({ ...options.request, trainingFile: training.id, validationFile: validation.id });
  const job = new StoredJob(stage.state, created.job.id, { flavor: api.flavor, request_hash: options.requestHash });
  writeJsonAtomic(stage.paths.train.job, { trainer: 'hosted', flavor: api.flavor, endpoint: options.http.baseURL, job_id: job.jobId, request: created.body });
  rmSync(pendingCreatePath(stage), { force: true });
  return { job, recovered: false };
}
