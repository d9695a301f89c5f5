import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { SqliteDatabase } from './database.js';
import { writeQueueOf } from './write-queue.js';

export type StageState = 'running' | 'done' | 'failed' | 'stale';

const figuresSchema = z.record(z.string(), z.unknown());

export interface StageRow {
  name: string;
  state: StageState;
  configHash: string;
  startedAt: string;
  finishedAt: string | null;
  figures: Record<string, unknown>;
  error: string | null;
}

/**
 * A batch and the requests it was made for. `requestKeys` maps each line's custom_id to its request hash
 * (the response cache key), `requestHash` hashes them all; `batchId` is null until the create is answered.
 */
export interface BatchSubmission {
  submission: string;
  stage: string;
  round: number;
  requestHash: string;
  requestKeys: Record<string, string>;
  inputFileId: string | null;
  batchId: string | null;
  status: string;
  /** The provider's `errors` of a failed batch, as shown to the user. */
  errors: string | null;
  collected: boolean;
}

const requestKeysSchema = z.record(z.string(), z.string());

export interface LedgerEntry {
  stage: string;
  purpose: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** Queries over a run's SQLite file: stage rows, batch ids, hosted job ids, the cost ledger. */
export class RunState {
  constructor(readonly database: SqliteDatabase) {}

  stage(name: string): StageRow | undefined {
    const row = this.database
      .prepare<[string], Record<string, string | null>>('SELECT * FROM stages WHERE name = ?')
      .get(name);
    if (row === undefined) return undefined;
    return {
      name: row.name!,
      state: row.state as StageState,
      configHash: row.config_hash!,
      startedAt: row.started_at!,
      finishedAt: row.finished_at ?? null,
      figures: figuresSchema.parse(JSON.parse(row.figures ?? '{}')),
      error: row.error ?? null,
    };
  }

  stages(): StageRow[] {
    const names = this.database.prepare<[], { name: string }>('SELECT name FROM stages').all();
    return names.map(({ name }) => this.stage(name)!);
  }

  startStage(name: string, configHash: string): void {
    this.database
      .prepare(
        `INSERT INTO stages (name, state, config_hash, started_at) VALUES (?, 'running', ?, ?)
         ON CONFLICT(name) DO UPDATE SET state = 'running', config_hash = excluded.config_hash,
           started_at = excluded.started_at, finished_at = NULL, error = NULL`,
      )
      .run(name, configHash, new Date().toISOString());
  }

  finishStage(name: string, figures: Record<string, unknown>): void {
    this.flush();
    this.database
      .prepare(`UPDATE stages SET state = 'done', finished_at = ?, figures = ? WHERE name = ?`)
      .run(new Date().toISOString(), JSON.stringify(figures), name);
  }

  failStage(name: string, error: string, figures: Record<string, unknown> = {}): void {
    this.flush();
    this.database
      .prepare(`UPDATE stages SET state = 'failed', finished_at = ?, error = ?, figures = ? WHERE name = ?`)
      .run(new Date().toISOString(), error, JSON.stringify(figures), name);
  }

  markStale(names: string[]): void {
    const update = this.database.prepare(`UPDATE stages SET state = 'stale' WHERE name = ?`);
    for (const name of names) update.run(name);
  }

  saveSubmission(batch: BatchSubmission): void {
    const now = new Date().toISOString();
    this.database
      .prepare(
        `INSERT INTO batch_submissions (submission, stage, round, request_hash, request_keys, input_file_id, batch_id, status, errors, collected, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(submission) DO UPDATE SET input_file_id = excluded.input_file_id, batch_id = excluded.batch_id, status = excluded.status,
           errors = excluded.errors, collected = excluded.collected, updated_at = excluded.updated_at`,
      )
      .run(
        batch.submission, batch.stage, batch.round, batch.requestHash, JSON.stringify(batch.requestKeys), batch.inputFileId, batch.batchId,
        batch.status, batch.errors, batch.collected ? 1 : 0, now, now,
      );
  }

  /** Batches of a stage submitted (or being created) whose results were not collected yet: resume polls these. */
  openSubmissions(stage: string): BatchSubmission[] {
    return this.database
      .prepare<[string], Record<string, string | number | null>>('SELECT * FROM batch_submissions WHERE stage = ? AND collected = 0 ORDER BY round, created_at')
      .all(stage)
      .map((row) => ({
        submission: String(row.submission),
        stage: String(row.stage),
        round: Number(row.round),
        requestHash: String(row.request_hash),
        requestKeys: requestKeysSchema.parse(JSON.parse(String(row.request_keys))),
        inputFileId: row.input_file_id === null ? null : String(row.input_file_id),
        batchId: row.batch_id === null ? null : String(row.batch_id),
        status: String(row.status),
        errors: row.errors === null ? null : String(row.errors),
        collected: row.collected === 1,
      }));
  }

  /** Whether a batch with these exact requests already failed as a whole (it is not submitted again unchanged). */
  failedSubmission(stage: string, requestHash: string): { batchId: string | null; errors: string | null } | undefined {
    const row = this.database
      .prepare<[string, string], { batch_id: string | null; errors: string | null }>(
        `SELECT batch_id, errors FROM batch_submissions WHERE stage = ? AND request_hash = ? AND status = 'failed' ORDER BY updated_at DESC LIMIT 1`,
      )
      .get(stage, requestHash);
    return row === undefined ? undefined : { batchId: row.batch_id, errors: row.errors };
  }

  /** Rounds of batches that ran for this stage (a batch discarded for another config, or never created, is not one). */
  batchRounds(stage: string): number {
    const row = this.database
      .prepare<[string], { rounds: number | null }>(
        `SELECT MAX(round) AS rounds FROM batch_submissions WHERE stage = ? AND status NOT LIKE 'discarded%' AND status != 'not-created'`,
      )
      .get(stage);
    return row?.rounds ?? 0;
  }

  saveJob(stage: string, jobId: string, detail: Record<string, unknown> = {}): void {
    this.database
      .prepare(
        `INSERT INTO jobs (stage, job_id, detail, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(stage) DO UPDATE SET job_id = excluded.job_id, detail = excluded.detail, updated_at = excluded.updated_at`,
      )
      .run(stage, jobId, JSON.stringify(detail), new Date().toISOString());
  }

  job(stage: string): { jobId: string; detail: Record<string, unknown> } | undefined {
    const row = this.database.prepare<[string], { job_id: string; detail: string }>('SELECT job_id, detail FROM jobs WHERE stage = ?').get(stage);
    return row === undefined ? undefined : { jobId: row.job_id, detail: figuresSchema.parse(JSON.parse(row.detail)) };
  }

  private insertLedger: Database.Statement<unknown[]> | undefined;
  /** Charges not committed yet, summed by stage, purpose and model: one ledger row per commit, not per request. */
  private readonly unrecorded = new Map<string, LedgerEntry & { requests: number }>();

  /** Queued with other small writes (one commit for many answers); reads below flush first. */
  record(entry: LedgerEntry): void {
    // Scheduled on every charge (a no-op while scheduled): after a failed commit the sums are retried.
    writeQueueOf(this.database).schedule(this.writeLedger);
    const key = `${entry.stage}\u0000${entry.purpose}\u0000${entry.model}`;
    const sum = this.unrecorded.get(key);
    if (sum !== undefined) {
      sum.promptTokens += entry.promptTokens;
      sum.completionTokens += entry.completionTokens;
      sum.cost += entry.cost;
      sum.requests += 1;
      return;
    }
    this.unrecorded.set(key, { ...entry, requests: 1 });
  }

  private readonly writeLedger = (): void => {
    this.insertLedger ??= this.database.prepare(
      'INSERT INTO ledger (stage, purpose, model, prompt_tokens, completion_tokens, cost, requests, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const at = new Date().toISOString();
    for (const sum of this.unrecorded.values()) {
      this.insertLedger.run(sum.stage, sum.purpose, sum.model, sum.promptTokens, sum.completionTokens, sum.cost, sum.requests, at);
    }
    this.unrecorded.clear();
  };

  /** Resolves with the next grouped commit of everything queued so far (answers, ledger sums). */
  committed(): Promise<void> {
    return writeQueueOf(this.database).committed();
  }

  /** Commits queued writes now (stage ends, before reading the ledger, before closing). */
  flush(): void {
    writeQueueOf(this.database).flush();
  }

  /** Cost and tokens by stage and purpose: the run's ledger. */
  ledger(): { stage: string; purpose: string; model: string; requests: number; promptTokens: number; completionTokens: number; cost: number }[] {
    this.flush();
    return this.database
      .prepare<[], { stage: string; purpose: string; model: string; requests: number; prompt_tokens: number; completion_tokens: number; cost: number }>(
        `SELECT stage, purpose, model, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens,
                SUM(completion_tokens) AS completion_tokens, SUM(cost) AS cost
         FROM ledger GROUP BY stage, purpose, model ORDER BY MIN(id)`,
      )
      .all()
      .map((row) => ({
        stage: row.stage,
        purpose: row.purpose,
        model: row.model,
        requests: row.requests,
        promptTokens: row.prompt_tokens,
        completionTokens: row.completion_tokens,
        cost: row.cost,
      }));
  }

  spent(stage: string): number {
    this.flush();
    const row = this.database.prepare<[string], { cost: number | null }>('SELECT SUM(cost) AS cost FROM ledger WHERE stage = ?').get(stage);
    return row?.cost ?? 0;
  }
}
