import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { batchPhase, batchRequestLine, cancelBatch, completionOfBatchLine, createBatch, findBatchByMetadata, retrieveBatch } from '../../llm/batches.js';
import { sha256 } from '../../llm/cache-key.js';
import { chatRequestBody, chatResultFromCompletion } from '../../llm/chat.js';
import { fileContent, uploadFile } from '../../llm/files.js';
import { batchOutputLineSchema, chatCompletionSchema, type BatchObject } from '../../llm/protocol.js';
import { sleep } from '../../llm/retry.js';
import type { BatchSubmission, RunState } from '../../store/run-state.js';
import type { EventSink } from '../events.js';
import type { InputRecord } from '../inputs/input-record.js';
import { ensureDir, type RunPaths } from '../run-paths.js';
import type { Reservation } from './budget.js';
import { storedRow } from './outputs-file.js';
import { generateSync, type SyncGenerationOptions } from './sync-generator.js';

export interface BatchGenerationOptions extends Omit<SyncGenerationOptions, 'workers'> {
  state: RunState;
  paths: RunPaths;
  emit: EventSink;
  /** Requests per batch file (OpenAI allows 50,000). */
  maxRequestsPerBatch?: number;
  /** Bytes per batch file (OpenAI allows 200 MB; a little is kept for the multipart envelope). */
  maxBytesPerBatch?: number;
}

const STAGE = 'generate';
const SUBMISSION_KEY = 'distillery_submission';

/**
 * The Batch API path: one JSONL of requests per chunk, uploaded, run, polled and joined back by custom_id.
 * Every batch is tied to the requests it was made for: before the create is sent, SQLite holds a
 * submission row with each line's request hash, and the create carries the submission id in `metadata`,
 * so a run killed before it saw the batch id finds the batch again instead of paying for a second one.
 * A line is used only if its request hash is the one the config in force makes; a batch made under
 * another config is cancelled and never collected. Chunks are as large as the remaining budget covers.
 * Rows that failed inside a batch go to a follow-up round, or to sync mode when only a few are left.
 */
export async function generateBatch(options: BatchGenerationOptions): Promise<{ unsent: number }> {
  const { inputs, requests, state, signal, budget } = options;
  const byId = new Map(inputs.map((input) => [input.id, input]));
  const teacher = requests.teacher;
  const failures = new Map<string, string>();
  const failedBatches = new Set<string>();
  // 1. Batches submitted by an earlier, interrupted run: found, checked against the config, collected.
  const collected = new Set<string>();
  for (const open of state.openSubmissions(STAGE)) for (const id of await resume(open, options, byId, failures)) collected.add(id);
  let round = state.batchRounds(STAGE);
  // 2. Inputs answered under the config in force become rows from the cache; the rest go to batches.
  let pending = inputs.filter((input) => !collected.has(input.id) && !emitStored(input, options));

  while (pending.length > 0) {
    if (signal.aborted) return { unsent: pending.length };
    const stragglers = pending.length <= teacher.batch_sync_stragglers && round > 0;
    if (!stragglers && round >= teacher.batch_max_rounds) return giveUp(pending, failures, round, options);
    if (stragglers) {
      options.emit({ type: 'log', stage: STAGE, level: 'info', message: `retrying ${pending.length} failed batch rows in sync mode` });
      return generateSync({ ...options, inputs: pending, workers: teacher.concurrency });
    }
    round++;
    const retry: InputRecord[] = [];
    for (let start = 0, part = 0; start < pending.length; part++) {
      if (signal.aborted) return { unsent: pending.length - start };
      const { chunk, lines, reservations } = takeChunk(pending, start, options);
      if (chunk.length === 0) {
        budget.stop();
        return { unsent: pending.length - start };
      }
      start += chunk.length;
      try {
        if (failedBatches.has(lines.requestHash)) {
          // The same requests already failed as a batch in this run: not resubmitted unchanged.
          for (const input of chunk) retry.push(input);
          continue;
        }
        const submission = await submit(lines, round, part, options);
        const { outcome } = await collect(submission, options, byId, failures);
        if (outcome === 'failed') failedBatches.add(lines.requestHash);
      } finally {
        for (const reservation of reservations) reservation.release();
      }
      for (const input of chunk) if (failures.has(input.id)) retry.push(input);
    }
    pending = retry;
  }
  return { unsent: 0 };
}

function giveUp(pending: InputRecord[], failures: Map<string, string>, round: number, options: BatchGenerationOptions): { unsent: number } {
  for (const input of pending) options.sink.failure({ id: input.id, input: input.input, error: failures.get(input.id) ?? 'failed in every batch round', attempts: round });
  return { unsent: 0 };
}

/** A row from the cache (answered under the config in force) needs no batch line. Returns whether there was one. */
function emitStored(input: InputRecord, options: BatchGenerationOptions): boolean {
  const row = storedRow(input, options.requests, options.client);
  if (row === undefined) return false;
  if ('dropped' in row) options.sink.failure(row.dropped);
  else options.sink.record(row.record, { cached: true, cost: 0 });
  return true;
}

interface BatchLines {
  text: string;
  requestKeys: Record<string, string>;
  requestHash: string;
}

/**
 * The next chunk from `start`: within the line and byte limits, and each line's worst case reserved. Each
 * request is built and serialized once: the line that is measured is the line that is sent.
 */
function takeChunk(pending: InputRecord[], start: number, options: BatchGenerationOptions): { chunk: InputRecord[]; lines: BatchLines; reservations: Reservation[] } {
  const maxLines = options.maxRequestsPerBatch ?? 50_000;
  const maxBytes = options.maxBytesPerBatch ?? 190 * 1024 * 1024;
  const chunk: InputRecord[] = [];
  const reservations: Reservation[] = [];
  const texts: string[] = [];
  const requestKeys: Record<string, string> = {};
  const keys: string[] = [];
  let bytes = 0;
  for (let index = start; index < pending.length && chunk.length < maxLines; index++) {
    const input = pending[index]!;
    const parameters = options.requests.parameters(input);
    const line = batchRequestLine(input.id, chatRequestBody(parameters, false, options.client.http.flavor));
    const lineBytes = Buffer.byteLength(line) + 1;
    if (chunk.length > 0 && bytes + lineBytes > maxBytes) break;
    const reservation = options.budget.tryReserve(options.budget.worstCase(parameters.messages, options.requests.teacher.max_tokens, true));
    if (reservation === undefined) break;
    reservations.push(reservation);
    chunk.push(input);
    texts.push(line);
    const key = options.client.cacheKey(parameters);
    requestKeys[input.id] = key;
    keys.push(key);
    bytes += lineBytes;
  }
  return { chunk, reservations, lines: { text: `${texts.join('\n')}\n`, requestKeys, requestHash: sha256(keys.join('\n')) } };
}

async function submit(lines: BatchLines, round: number, part: number, options: BatchGenerationOptions): Promise<BatchSubmission> {
  const { client, paths, state, requests } = options;
  // The first round's file is the ARCHITECTURE's generate/requests.jsonl; follow-ups are kept beside it.
  ensureDir(paths.generate.dir);
  const fileName = round === 1 && part === 0 ? paths.generate.requests : join(ensureDir(paths.generate.batches), `round-${round}-part-${part}.jsonl`);
  writeFileSync(fileName, lines.text);
  const file = await uploadFile(client.http, lines.text, `distillery-round-${round}-part-${part}.jsonl`, 'batch');
  const submission: BatchSubmission = {
    submission: randomUUID(),
    stage: STAGE,
    round,
    requestHash: lines.requestHash,
    requestKeys: lines.requestKeys,
    inputFileId: file.id,
    batchId: null,
    status: 'creating',
    errors: null,
    collected: false,
  };
  // Recorded (and committed) before the create is sent: if its answer is lost, the metadata finds the batch.
  state.saveSubmission(submission);
  const metadata = { [SUBMISSION_KEY]: submission.submission, distillery_round: String(round) };
  const batch = await createBatch(client.http, file.id, requests.teacher.completion_window, metadata);
  const created = { ...submission, batchId: batch.id, status: batch.status };
  state.saveSubmission(created);
  options.emit({ type: 'batch-submitted', stage: STAGE, batchId: batch.id, requests: Object.keys(lines.requestKeys).length, round });
  return created;
}

/** A batch of an earlier run: found by its metadata if its id was never seen, cancelled if made under another config, else collected. */
async function resume(open: BatchSubmission, options: BatchGenerationOptions, byId: Map<string, InputRecord>, failures: Map<string, string>): Promise<Set<string>> {
  const { client, state, emit } = options;
  let submission = open;
  if (submission.batchId === null) {
    const found = await findBatchByMetadata(client.http, SUBMISSION_KEY, submission.submission);
    if (found === undefined) {
      // The create never reached the provider: nothing was paid, its inputs go to a new batch.
      state.saveSubmission({ ...submission, status: 'not-created', collected: true });
      return new Set();
    }
    submission = { ...submission, batchId: found.id, status: found.status };
    state.saveSubmission(submission);
    emit({ type: 'log', stage: STAGE, level: 'info', message: `found batch ${found.id} by its metadata (its create answer was lost); not submitting it again` });
  }
  const current = Object.entries(submission.requestKeys).filter(([id, key]) => {
    const input = byId.get(id);
    return input !== undefined && options.client.cacheKey(options.requests.parameters(input)) === key;
  });
  if (current.length === 0) {
    // Made under another config (prompt, model, parameters): its answers must never be used.
    const batchId = submission.batchId!;
    let status = submission.status;
    if (batchPhase(status) === 'pending') {
      try {
        status = (await cancelBatch(client.http, batchId)).status;
      } catch (error) {
        emit({ type: 'log', stage: STAGE, level: 'warn', message: `could not cancel batch ${batchId}: ${errorMessage(error)}` });
      }
    }
    state.saveSubmission({ ...submission, status: `discarded (${status})`, collected: true });
    emit({ type: 'log', stage: STAGE, level: 'warn', message: `batch ${batchId} was made under another config: cancelled, its answers are not used` });
    return new Set();
  }
  return (await collect(submission, options, byId, failures)).answered;
}

/** Polls a batch to its end and turns its lines into rows. Lines of requests other than the config's own are discarded. */
async function collect(
  submission: BatchSubmission,
  options: BatchGenerationOptions,
  byId: Map<string, InputRecord>,
  failures: Map<string, string>,
): Promise<{ outcome: 'completed' | 'failed' | 'partial'; answered: Set<string> }> {
  const { client, requests, state, emit, signal } = options;
  const batchId = submission.batchId!;
  const requestIds = Object.keys(submission.requestKeys);
  const polled = (batch: BatchObject): void =>
    emit({
      type: 'batch-polled', stage: STAGE, batchId, status: batch.status,
      completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0, total: batch.request_counts?.total ?? requestIds.length,
    });
  let batch = await retrieveBatch(client.http, batchId);
  while (batchPhase(batch.status) === 'pending') {
    polled(batch);
    if (batch.status !== submission.status) state.saveSubmission((submission = { ...submission, status: batch.status }));
    await sleep(requests.teacher.poll_interval * 1000, signal);
    batch = await retrieveBatch(client.http, batchId);
  }
  polled(batch);
  const phase = batchPhase(batch.status);
  const batchErrors = describeBatchErrors(batch.errors);
  if (batchErrors !== null) emit({ type: 'log', stage: STAGE, level: 'warn', message: `batch ${batchId} ${batch.status}: ${batchErrors}` });

  const answered = new Set<string>();
  let discarded = 0;
  const files = [batch.output_file_id, batch.error_file_id].filter((id): id is string => typeof id === 'string' && id !== '');
  for (const fileId of files) {
    const text = await fileContent(client.http, fileId);
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      const parsed = parseOutputLine(line);
      if ('malformed' in parsed) {
        const where = `batch ${batchId} file ${fileId} line ${index + 1}`;
        if (parsed.customId !== undefined && byId.has(parsed.customId)) failures.set(parsed.customId, `malformed line in ${where}: ${parsed.malformed}`);
        else emit({ type: 'log', stage: STAGE, level: 'warn', message: `malformed line in ${where}: ${parsed.malformed}` });
        return;
      }
      const { custom_id: customId } = parsed.line;
      const input = byId.get(customId);
      const key = submission.requestKeys[customId];
      if (input === undefined || key === undefined || answered.has(customId)) return;
      const parameters = requests.parameters(input);
      if (client.cacheKey(parameters) !== key) {
        discarded++;
        return;
      }
      const outcome = completionOfBatchLine(parsed.line.response, parsed.line.error);
      if ('error' in outcome) {
        failures.set(customId, outcome.error);
        return;
      }
      const completion = chatCompletionSchema.safeParse(outcome.completion);
      if (!completion.success) {
        failures.set(customId, `malformed completion in batch output: ${completion.error.issues[0]?.message ?? ''}`);
        return;
      }
      // Already stored (a kill during an earlier collection of this batch): neither charged nor stored again.
      const stored = client.cached(parameters, key);
      const answer = stored ?? chatResultFromCompletion(completion.data);
      const maxTokens = requests.teacher.max_tokens;
      const record = requests.toRecord(input, answer, maxTokens);
      if (stored === undefined) options.budget.charge(answer.usage, true);
      if ('rejection' in record) {
        failures.set(customId, record.rejection);
        return;
      }
      if (stored === undefined) client.store(parameters, { ...answer, latencyMs: 0, timeToFirstTokenMs: null, headers: {} }, key);
      answered.add(customId);
      failures.delete(customId);
      if (record.truncated && requests.teacher.on_truncated === 'drop') {
        options.sink.failure({ id: input.id, input: input.input, error: `truncated at ${maxTokens} tokens (teacher.on_truncated: drop)`, attempts: submission.round });
      } else {
        options.sink.record(record, { cached: false, cost: 0 });
      }
    });
  }
  const missing = `no result: batch ${batchId} ended ${batch.status}${batchErrors === null ? '' : ` (${batchErrors})`}`;
  for (const id of requestIds) if (byId.has(id) && !answered.has(id) && !failures.has(id)) failures.set(id, missing);
  if (discarded > 0) emit({ type: 'log', stage: STAGE, level: 'warn', message: `batch ${batchId}: ${discarded} answers were made under another config and are not used` });
  if (phase !== 'completed') {
    emit({ type: 'log', stage: STAGE, level: 'warn', message: `batch ${batchId} ended ${batch.status}: kept ${answered.size} completed rows, ${requestIds.length - answered.size} to retry` });
  }
  // Every answer is committed before the batch is marked collected: a kill in between collects it again.
  state.flush();
  state.saveSubmission({ ...submission, status: batch.status, errors: batchErrors, collected: true });
  return { outcome: phase === 'completed' ? 'completed' : answered.size === 0 && phase === 'failed' ? 'failed' : 'partial', answered };
}

function parseOutputLine(line: string): { line: { custom_id: string; response?: unknown; error?: unknown } } | { malformed: string; customId?: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { malformed: `not JSON (${errorMessage(error)}): ${line.slice(0, 200)}`, customId: /"custom_id"\s*:\s*"([^"\\]+)"/.exec(line)?.[1] };
  }
  const parsed = batchOutputLineSchema.safeParse(value);
  if (!parsed.success) return { malformed: `not a batch output line: ${line.slice(0, 200)}` };
  return { line: parsed.data };
}

/** A failed batch's `errors` (`{data: [{code, message, line}]}`) as one line for the user; null when none. */
function describeBatchErrors(errors: unknown): string | null {
  if (errors === null || errors === undefined) return null;
  const list = (errors as { data?: unknown }).data;
  if (!Array.isArray(list) || list.length === 0) return null;
  const shown = list.slice(0, 5).map((entry: { code?: unknown; message?: unknown; line?: unknown }) => {
    const line = typeof entry.line === 'number' ? `line ${entry.line}: ` : '';
    const code = typeof entry.code === 'string' ? `${entry.code}: ` : '';
    return `${line}${code}${typeof entry.message === 'string' ? entry.message : JSON.stringify(entry)}`;
  });
  return `${shown.join('; ')}${list.length > 5 ? ` (and ${list.length - 5} more)` : ''}`;
}
