import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { batchPhase, batchRequestLine, completionOfBatchLine, createBatch, retrieveBatch } from '../../llm/batches.js';
import { chatRequestBody, chatResultFromCompletion } from '../../llm/chat.js';
import { fileContent, uploadFile } from '../../llm/files.js';
import { batchOutputLineSchema, chatCompletionSchema } from '../../llm/protocol.js';
import { sleep } from '../../llm/retry.js';
import type { RunState } from '../../store/run-state.js';
import type { EventSink } from '../events.js';
import type { InputRecord } from '../inputs/input-record.js';
import { ensureDir, type RunPaths } from '../run-paths.js';
import { generateSync, type SyncGenerationOptions } from './sync-generator.js';
import type { TeacherRequests } from './teacher-request.js';

export interface BatchGenerationOptions extends Omit<SyncGenerationOptions, 'workers'> {
  state: RunState;
  paths: RunPaths;
  emit: EventSink;
  /** Requests per batch file (OpenAI allows 50,000). */
  maxRequestsPerBatch?: number;
}

const STAGE = 'generate';

/**
 * The Batch API path: one JSONL of requests per round, uploaded, run, polled and joined back by custom_id.
 * Batch ids live in SQLite as soon as they exist, so a resumed run polls the batch it already paid for.
 * Rows that failed inside a batch (or were left when it expired or was cancelled) go to a follow-up round,
 * or to sync mode when only a few stragglers are left; completed rows of an expired batch are kept.
 */
export async function generateBatch(options: BatchGenerationOptions): Promise<{ unsent: number }> {
  const { requests, client, state, signal, emit } = options;
  const byId = new Map(options.inputs.map((input) => [input.id, input]));
  const teacher = requests.teacher;
  const failures = new Map<string, string>();
  let round = state.batchRounds(STAGE);

  // 1. Batches submitted by an earlier, interrupted run: poll and collect them first.
  for (const open of state.openBatches(STAGE)) {
    const pending = open.requestIds.filter((id) => byId.has(id));
    await collect(open.id, open.round, pending, options, byId, failures);
    for (const id of open.requestIds) if (!failures.has(id)) byId.delete(id);
  }
  // Ids answered by those batches are done; a cached answer becomes a row at once; the rest go to a batch.
  let pending: InputRecord[] = [];
  for (const input of byId.values()) {
    if (!failures.has(input.id) && emitCached(input, options)) continue;
    pending.push(input);
  }

  while (pending.length > 0) {
    if (signal.aborted) return { unsent: pending.length };
    if (options.budget.exhausted) return { unsent: pending.length };
    const stragglers = pending.length <= teacher.batch_sync_stragglers && round > 0;
    if (stragglers || round >= teacher.batch_max_rounds) {
      if (round >= teacher.batch_max_rounds && !stragglers) {
        for (const input of pending) options.sink.failure({ id: input.id, input: input.input, error: failures.get(input.id) ?? 'failed in every batch round', attempts: round });
        return { unsent: 0 };
      }
      emit({ type: 'log', stage: STAGE, level: 'info', message: `retrying ${pending.length} failed batch rows in sync mode` });
      return generateSync({ inputs: pending, requests, client, budget: options.budget, sink: options.sink, signal, workers: teacher.concurrency });
    }
    round++;
    failures.clear();
    const chunkSize = options.maxRequestsPerBatch ?? 50_000;
    for (let start = 0; start < pending.length; start += chunkSize) {
      const chunk = pending.slice(start, start + chunkSize);
      const batchId = await submit(chunk, round, start / chunkSize, options);
      await collect(batchId, round, chunk.map((input) => input.id), options, byId, failures);
    }
    pending = pending.filter((input) => failures.has(input.id));
  }
  return { unsent: 0 };
}

/** A cached answer needs no batch line: it becomes a row straight away. Returns whether there was one. */
function emitCached(input: InputRecord, options: BatchGenerationOptions): boolean {
  const hit = options.client.cached(options.requests.parameters(input));
  if (hit === undefined) return false;
  const record = options.requests.toRecord(input, hit, options.requests.teacher.max_tokens);
  if ('rejection' in record) options.sink.failure({ id: input.id, input: input.input, error: record.rejection, attempts: 0 });
  else options.sink.record(record, { cached: true, cost: 0 });
  return true;
}

async function submit(chunk: InputRecord[], round: number, part: number, options: BatchGenerationOptions): Promise<string> {
  const { requests, client, paths } = options;
  const lines = chunk.map((input) => batchRequestLine(input.id, chatRequestBody(requests.parameters(input), false, client.http.flavor)));
  const content = `${lines.join('\n')}\n`;
  // The first round's file is the ARCHITECTURE's generate/requests.jsonl; follow-ups are kept beside it.
  const fileName = round === 1 && part === 0 ? paths.generate.requests : join(ensureDir(paths.generate.batches), `round-${round}-part-${part}.jsonl`);
  writeFileSync(fileName, content);
  const file = await uploadFile(client.http, content, `distillery-round-${round}-part-${part}.jsonl`, 'batch');
  const batch = await createBatch(client.http, file.id, requests.teacher.completion_window, { distillery_round: String(round) });
  options.state.saveBatch({ id: batch.id, stage: STAGE, round, status: batch.status, requestIds: chunk.map((input) => input.id), inputFileId: file.id, collected: false });
  options.emit({ type: 'batch-submitted', stage: STAGE, batchId: batch.id, requests: chunk.length, round });
  return batch.id;
}

async function collect(
  batchId: string,
  round: number,
  requestIds: string[],
  options: BatchGenerationOptions,
  byId: Map<string, InputRecord>,
  failures: Map<string, string>,
): Promise<void> {
  const { client, requests, state, emit, signal } = options;
  let batch = await retrieveBatch(client.http, batchId);
  while (batchPhase(batch.status) === 'pending') {
    emit({
      type: 'batch-polled', stage: STAGE, batchId, status: batch.status,
      completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0, total: batch.request_counts?.total ?? requestIds.length,
    });
    state.saveBatch({ id: batchId, stage: STAGE, round, status: batch.status, requestIds, inputFileId: batch.input_file_id ?? '', collected: false });
    await sleep(requests.teacher.poll_interval * 1000, signal);
    batch = await retrieveBatch(client.http, batchId);
  }
  const phase = batchPhase(batch.status);
  emit({ type: 'batch-polled', stage: STAGE, batchId, status: batch.status, completed: batch.request_counts?.completed ?? 0, failed: batch.request_counts?.failed ?? 0, total: batch.request_counts?.total ?? requestIds.length });
  const answered = new Set<string>();
  const files = [batch.output_file_id, batch.error_file_id].filter((id): id is string => typeof id === 'string' && id !== '');
  for (const fileId of files) {
    const text = await fileContent(client.http, fileId);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const parsedLine = batchOutputLineSchema.safeParse(JSON.parse(line));
      if (!parsedLine.success) continue;
      const { custom_id: customId } = parsedLine.data;
      const input = byId.get(customId);
      if (input === undefined || answered.has(customId)) continue;
      const outcome = completionOfBatchLine(parsedLine.data.response, parsedLine.data.error);
      if ('error' in outcome) {
        failures.set(customId, outcome.error);
        continue;
      }
      const completion = chatCompletionSchema.safeParse(outcome.completion);
      if (!completion.success) {
        failures.set(customId, `malformed completion in batch output: ${completion.error.issues[0]?.message ?? ''}`);
        continue;
      }
      const answer = chatResultFromCompletion(completion.data);
      options.budget.charge(answer.usage, true);
      const maxTokens = requests.teacher.max_tokens;
      const record = requests.toRecord(input, answer, maxTokens);
      if ('rejection' in record) {
        failures.set(customId, record.rejection);
        continue;
      }
      // Cache it like a sync answer, so nothing answered by a batch is ever asked again.
      cacheAnswer(options, requests.parameters(input), answer);
      answered.add(customId);
      failures.delete(customId);
      if (record.truncated && requests.teacher.on_truncated === 'drop') {
        options.sink.failure({ id: input.id, input: input.input, error: `truncated at ${maxTokens} tokens (teacher.on_truncated: drop)`, attempts: round });
      } else {
        options.sink.record(record, { cached: false, cost: 0 });
      }
    }
  }
  for (const id of requestIds) {
    if (!answered.has(id) && !failures.has(id)) failures.set(id, `no result: batch ${batchId} ended ${batch.status}`);
  }
  if (phase !== 'completed') {
    emit({ type: 'log', stage: STAGE, level: 'warn', message: `batch ${batchId} ended ${batch.status}: kept ${answered.size} completed rows, ${failures.size} to retry` });
  }
  state.saveBatch({ id: batchId, stage: STAGE, round, status: batch.status, requestIds, inputFileId: batch.input_file_id ?? '', collected: true });
}

function cacheAnswer(options: BatchGenerationOptions, parameters: ReturnType<TeacherRequests['parameters']>, answer: ReturnType<typeof chatResultFromCompletion>): void {
  options.client.store(parameters, { ...answer, latencyMs: 0, timeToFirstTokenMs: null, headers: {} });
}
