import { randomUUID } from 'node:crypto';
import { parseBatchInput, type BatchInputError, type InputLine } from './batch-input.js';
import { buildCompletion, validateChatRequest } from './chat.js';
import { cursorPage, findOr404, HttpError, jsonObjectBody, requiredString, sendJson } from './http.js';
import { makeId, unixSeconds } from './ids.js';
import { hashString, shuffled } from './seeded-random.js';
import { StatusProgression, type PollsPerStatus } from './status-progression.js';
import type { ProviderRuntime, Route } from './types.js';

/**
 * Batches. Status flows (one per GET /v1/batches/{id}, see status-progression.ts):
 * - OpenAI: validating → in_progress → finalizing → completed; validating → failed; validating → in_progress → expired;
 *   cancel: cancelling → cancelled.
 * - Nebius: validating → validated → running → done (as the brief states; Nebius's public batch docs we found show
 *   OpenAI's names, so this flow is NOT verified). Failure, expiry and cancel reuse OpenAI's names (a guess).
 * Results are computed when the batch reaches finalizing or a terminal status; output lines are shuffled.
 * `output_file_id` / `error_file_id` stay null when the file would be empty (as OpenAI does for error files).
 */
export interface BatchLineFailure {
  status_code: number;
  message?: string;
  code?: string;
  type?: string;
}

export interface BatchOptions {
  pollsPerStatus: PollsPerStatus;
  /** How a batch ends (unless cancelled): default `completed` (`done` in the Nebius flow). */
  outcome: 'completed' | 'failed' | 'expired';
  /** A failure for a line sends it to the error file. */
  lineFailure?: (line: { custom_id: string; index: number; body: unknown }) => BatchLineFailure | undefined;
  /** On expiry, or cancel while running: how many lines had completed. Default: half, rounded down. */
  completedBeforeStop?: number;
  /** Seed of the output shuffle; default: derived from the batch id. */
  shuffleSeed?: number;
  /** Together flow: the `warning` of the create answer. */
  warning?: string;
}

export const defaultBatchOptions: BatchOptions = { pollsPerStatus: 1, outcome: 'completed' };

export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: BatchInputError[] } | null;
  input_file_id: string;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

export interface BatchRecord {
  object: BatchObject;
  progression: StatusProgression<string>;
  options: BatchOptions;
  shape: 'openai' | 'nebius';
  lines: InputLine[];
  processed: boolean;
  /** Whether a cancel arrived while lines were being run (then part of them completed). */
  cancelledWhileRunning: boolean;
  /** Created under the Together flow: answered as Together's BatchJob. */
  together: boolean;
}

const flows = {
  openai: { completed: ['validating', 'in_progress', 'finalizing', 'completed'], expired: ['validating', 'in_progress', 'expired'] },
  nebius: { completed: ['validating', 'validated', 'running', 'done'], expired: ['validating', 'validated', 'running', 'expired'] },
} as const;

const runningStatuses = new Set(['in_progress', 'running', 'validated']);

/** Together's BatchJobStatus for the fake's internal (OpenAI) status names; it has no finalizing or cancelling. */
const togetherStatus: Record<string, string> = {
  validating: 'VALIDATING', in_progress: 'IN_PROGRESS', finalizing: 'IN_PROGRESS', completed: 'COMPLETED',
  failed: 'FAILED', expired: 'EXPIRED', cancelling: 'IN_PROGRESS', cancelled: 'CANCELLED',
};
const isoTime = (seconds: number | null): string | undefined => (seconds === null ? undefined : new Date(seconds * 1000).toISOString());

/** A batch as Together's `BatchJob` (togethercomputer/openapi): upper-case status, ISO times, no nulls, `error` text. */
export function togetherBatchJob(batch: BatchObject): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: batch.id,
    user_id: 'user_fake',
    input_file_id: batch.input_file_id,
    file_size_bytes: 0,
    status: togetherStatus[batch.status] ?? batch.status.toUpperCase(),
    job_deadline: isoTime(batch.expires_at),
    created_at: isoTime(batch.created_at),
    endpoint: batch.endpoint,
    progress: batch.request_counts.total === 0 ? 0 : (100 * (batch.request_counts.completed + batch.request_counts.failed)) / batch.request_counts.total,
  };
  if (batch.output_file_id !== null) view.output_file_id = batch.output_file_id;
  if (batch.error_file_id !== null) view.error_file_id = batch.error_file_id;
  if (batch.errors !== null) view.error = batch.errors.data.map((error) => error.message).join('; ');
  const completedAt = isoTime(batch.completed_at ?? batch.failed_at ?? batch.expired_at ?? batch.cancelled_at);
  if (completedAt !== undefined) view.completed_at = completedAt;
  return view;
}
const timestampField: Record<string, keyof BatchObject> = {
  in_progress: 'in_progress_at',
  running: 'in_progress_at',
  finalizing: 'finalizing_at',
  completed: 'completed_at',
  done: 'completed_at',
  failed: 'failed_at',
  expired: 'expired_at',
  cancelling: 'cancelling_at',
  cancelled: 'cancelled_at',
};

export function batchRoutes(runtime: ProviderRuntime): Route[] {
  const { state } = runtime;

  async function processLines(record: BatchRecord, stopCode: 'batch_expired' | 'batch_cancelled' | undefined): Promise<void> {
    if (record.processed) return;
    record.processed = true;
    const batch = record.object;
    const completedCount =
      stopCode === undefined
        ? record.lines.length
        : stopCode === 'batch_cancelled' && !record.cancelledWhileRunning
          ? 0
          : Math.min(record.lines.length, record.options.completedBeforeStop ?? Math.floor(record.lines.length / 2));
    const outputs: unknown[] = [];
    const errors: unknown[] = [];
    for (const [index, line] of record.lines.entries()) {
      const id = makeId('batch_req_');
      if (index >= completedCount) {
        const message = stopCode === 'batch_expired' ? 'This request could not be executed before the completion window expired.' : 'This request was not executed because the batch was cancelled.';
        errors.push({ id, custom_id: line.custom_id, response: null, error: { code: stopCode, message } });
        continue;
      }
      const configured = record.options.lineFailure?.({ custom_id: line.custom_id, index, body: line.body });
      let failure: HttpError | undefined =
        configured === undefined
          ? undefined
          : new HttpError(configured.status_code, configured.message ?? 'The request failed.', configured.type ?? 'invalid_request_error', configured.code ?? null);
      let completion: unknown;
      if (failure === undefined) {
        try {
          const body = (typeof line.body === 'object' && line.body !== null ? line.body : {}) as Record<string, unknown>;
          completion = await buildCompletion(validateChatRequest(body), runtime.behaviour().answer);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          failure = error;
        }
      }
      if (failure !== undefined) {
        errors.push(
          record.shape === 'openai'
            ? { id, custom_id: line.custom_id, response: { status_code: failure.status, request_id: makeId('req_', 32), body: failure.body() }, error: null }
            : { id, custom_id: line.custom_id, response: null, error: { code: failure.code ?? String(failure.status), message: failure.message } },
        );
        continue;
      }
      outputs.push(
        record.shape === 'openai'
          ? { id, custom_id: line.custom_id, response: { status_code: 200, request_id: makeId('req_', 32), body: completion }, error: null }
          : { id, custom_id: line.custom_id, response: completion, error: null },
      );
    }
    const seed = record.options.shuffleSeed ?? hashString(batch.id);
    const toJsonl = (rows: unknown[]) => Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    if (outputs.length > 0) batch.output_file_id = state.files.create(`batch_${batch.id}_output.jsonl`, 'batch_output', toJsonl(shuffled(outputs, seed))).id;
    if (errors.length > 0) batch.error_file_id = state.files.create(`batch_${batch.id}_error.jsonl`, 'batch_output', toJsonl(shuffled(errors, seed + 1))).id;
    batch.request_counts = { total: record.lines.length, completed: outputs.length, failed: errors.length };
  }

  async function enter(record: BatchRecord, statuses: string[]): Promise<void> {
    for (const status of statuses) {
      const batch = record.object;
      batch.status = status;
      const field = timestampField[status];
      if (field !== undefined) (batch[field] as number | null) = unixSeconds();
      if (status === 'in_progress' || status === 'validated') batch.request_counts.total = record.lines.length;
      if (status === 'finalizing' || status === 'completed' || status === 'done') await processLines(record, undefined);
      if (status === 'expired') await processLines(record, 'batch_expired');
      if (status === 'cancelled') await processLines(record, 'batch_cancelled');
    }
  }


  return [
    {
      method: 'POST',
      pattern: /^\/v1\/batches$/,
      handle(ctx) {
        const body = jsonObjectBody(ctx);
        const inputFileId = requiredString(body, 'input_file_id');
        const endpoint = requiredString(body, 'endpoint');
        const behaviour = runtime.behaviour();
        const together = behaviour.batchStatusFlow === 'together';
        // Together documents `completion_window` as optional, OpenAI requires it.
        const completionWindow = together && body.completion_window === undefined ? '24h' : requiredString(body, 'completion_window');
        if (endpoint !== '/v1/chat/completions') {
          throw new HttpError(400, `Invalid value for 'endpoint': this fake supports '/v1/chat/completions' only.`, 'invalid_request_error', 'invalid_value', 'endpoint');
        }
        if (completionWindow !== '24h') {
          throw new HttpError(400, `Invalid value for 'completion_window': expected '24h'.`, 'invalid_request_error', 'invalid_value', 'completion_window');
        }
        const input = state.files.get(inputFileId);
        if (input === undefined) {
          throw new HttpError(400, `Invalid 'input_file_id': '${inputFileId}'. File not found.`, 'invalid_request_error', 'invalid_value', 'input_file_id');
        }
        const wantedPurpose = together ? 'batch-api' : 'batch';
        if (input.object.purpose !== wantedPurpose) {
          throw new HttpError(400, `Invalid 'input_file_id': '${inputFileId}'. File must have purpose '${wantedPurpose}'.`, 'invalid_request_error', 'invalid_value', 'input_file_id');
        }
        const options = behaviour.batch;
        const { lines, errors } = parseBatchInput(input.content.toString('utf8'), endpoint);
        const outcome = errors.length > 0 ? 'failed' : options.outcome;
        const statuses = outcome === 'failed' ? ['validating', 'failed'] : flows[behaviour.batchStatusFlow === 'nebius' ? 'nebius' : 'openai'][outcome];
        const createdAt = unixSeconds();
        const object: BatchObject = {
          id: together ? randomUUID() : makeId('batch_'),
          object: 'batch',
          endpoint,
          errors: null,
          input_file_id: inputFileId,
          completion_window: completionWindow,
          status: 'validating',
          output_file_id: null,
          error_file_id: null,
          created_at: createdAt,
          in_progress_at: null,
          expires_at: createdAt + 24 * 3600,
          finalizing_at: null,
          completed_at: null,
          failed_at: null,
          expired_at: null,
          cancelling_at: null,
          cancelled_at: null,
          request_counts: { total: 0, completed: 0, failed: 0 },
          metadata: together ? null : ((body.metadata as Record<string, string> | undefined) ?? null),
        };
        if (outcome === 'failed') {
          object.errors = { object: 'list', data: errors.length > 0 ? errors : [{ code: 'failed', message: 'The batch failed (configured).', param: null, line: null }] };
        }
        const record: BatchRecord = {
          object,
          progression: new StatusProgression(statuses, options.pollsPerStatus),
          options,
          shape: behaviour.batchShape,
          lines,
          processed: false,
          cancelledWhileRunning: false,
          together,
        };
        state.batches.set(object.id, record);
        if (together) sendJson(ctx, 201, options.warning === undefined ? { job: togetherBatchJob(object) } : { job: togetherBatchJob(object), warning: options.warning });
        else sendJson(ctx, 200, object);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/batches$/,
      handle(ctx) {
        const records = [...state.batches.values()].reverse();
        // Together lists its jobs as a bare array.
        if (runtime.behaviour().batchStatusFlow === 'together') sendJson(ctx, 200, records.map((record) => togetherBatchJob(record.object)));
        else sendJson(ctx, 200, cursorPage(records.map((record) => record.object), ctx.query, 20));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/batches\/([^/]+)$/,
      async handle(ctx, [id = '']) {
        const record = findOr404(state.batches, id, 'batch');
        await enter(record, record.progression.poll());
        sendJson(ctx, 200, record.together ? togetherBatchJob(record.object) : record.object);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/batches\/([^/]+)\/cancel$/,
      async handle(ctx, [id = '']) {
        const record = findOr404(state.batches, id, 'batch');
        if (record.progression.isTerminal || record.object.status === 'cancelling') {
          throw new HttpError(409, `Cannot cancel a batch with status '${record.object.status}'.`, 'invalid_request_error', null);
        }
        record.cancelledWhileRunning = runningStatuses.has(record.object.status);
        await enter(record, record.progression.redirect(['cancelling', 'cancelled']));
        sendJson(ctx, 200, record.together ? togetherBatchJob(record.object) : record.object);
      },
    },
  ];
}
