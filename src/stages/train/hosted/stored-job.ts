import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { canonicalJson, sha256 } from '../../../llm/cache-key.js';
import type { RunState } from '../../../store/run-state.js';

const STAGE = 'train';

/** What SQLite keeps of a hosted job besides its id, so a resumed run re-attaches and never pays twice. */
export const storedJobSchema = z.object({
  flavor: z.string(),
  request_hash: z.string(),
  event_cursor: z.string().optional(),
  total_steps: z.number().optional(),
  served_model: z.string().optional(),
  /** A Nebius custom model created and not yet active: a resumed run polls it instead of deploying again. */
  deploying_model: z.string().optional(),
  cost_recorded: z.boolean().optional(),
});
export type StoredJobDetail = z.infer<typeof storedJobSchema>;

/** The stored job, when there is one for this very request (same data, model and hyperparameters). */
export function storedJob(state: RunState, requestHash: string): StoredJob | undefined {
  const row = state.job(STAGE);
  if (row === undefined) return undefined;
  const detail = storedJobSchema.safeParse(row.detail);
  if (!detail.success || detail.data.request_hash !== requestHash) return undefined;
  return new StoredJob(state, row.jobId, detail.data);
}

/** A job id and its stored detail; every update is written to SQLite at once. */
export class StoredJob {
  constructor(
    private readonly state: RunState,
    readonly jobId: string,
    private current: StoredJobDetail,
  ) {
    state.saveJob(STAGE, jobId, current);
  }

  get detail(): StoredJobDetail {
    return this.current;
  }

  update(patch: Partial<StoredJobDetail>): void {
    this.current = { ...this.current, ...patch };
    this.state.saveJob(STAGE, this.jobId, this.current);
  }
}

/** Hash of what the job would be asked: the endpoint, the request without file ids, and both files' content. */
export function requestHash(parts: { baseUrl: string; flavor: string; request: Record<string, unknown>; trainFile: string; validationFile: string }): string {
  return sha256(
    canonicalJson({
      ...parts,
      trainFile: sha256(readFileSync(parts.trainFile, 'utf8')),
      validationFile: sha256(readFileSync(parts.validationFile, 'utf8')),
    }),
  );
}
