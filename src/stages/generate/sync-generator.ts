import { errorMessage } from '../../errors.js';
import type { ChatResult } from '../../llm/chat.js';
import { failureDetails, type ModelClient } from '../../llm/model-client.js';
import type { InputRecord } from '../inputs/input-record.js';
import type { Budget } from './budget.js';
import type { GeneratedRecord, GenerationFailure } from './generated-record.js';
import type { TeacherRequests } from './teacher-request.js';

export interface GenerationSink {
  record(record: GeneratedRecord, details: { cached: boolean; cost: number }): void;
  failure(failure: GenerationFailure): void;
  /** Resolves once every answer received so far is committed; until then its request counts as in flight. */
  durable(): Promise<void>;
}

export interface SyncGenerationOptions {
  inputs: InputRecord[];
  requests: TeacherRequests;
  client: ModelClient;
  budget: Budget;
  sink: GenerationSink;
  /** Aborted: submit nothing more (requests in flight finish, see `cancel`). */
  signal: AbortSignal;
  /** Aborted: requests in flight are cancelled too (a stop whose grace period ran out). */
  cancel?: AbortSignal;
  workers: number;
}

export interface SyncGenerationResult {
  /** Inputs never sent because the budget ran out or the run was stopped. */
  unsent: number;
}

/**
 * Asks the teacher about every input with a fixed pool of workers; the client's adaptive semaphore decides
 * how many of them are in flight. Memory stays flat: no promise per input, results stream to the sink.
 * A worker takes its next input only after its last answer is committed, so at any instant at most
 * `workers` paid answers are not durable yet: that is all a kill -9 can make the next run pay again.
 */
export async function generateSync(options: SyncGenerationOptions): Promise<SyncGenerationResult> {
  const { inputs, requests, client, budget, sink, signal } = options;
  let next = 0;
  let unsent = 0;
  const onTruncated = requests.teacher.on_truncated;

  /** False when the input was not sent (no budget left for it). */
  const answer = async (input: InputRecord): Promise<boolean> => {
    let maxTokens = requests.teacher.max_tokens;
    let truncated: { record: GeneratedRecord; cached: boolean; cost: number } | undefined;
    for (;;) {
      const parameters = requests.parameters(input, maxTokens);
      const reservation = client.cached(parameters) === undefined ? await budget.reserve(budget.worstCase(parameters.messages, maxTokens, false)) : { release: () => undefined };
      if (reservation === undefined) {
        // A truncated answer whose retry the budget cannot cover is kept as it is.
        if (truncated === undefined) return false;
        sink.record(truncated.record, { cached: truncated.cached, cost: truncated.cost });
        return true;
      }
      let result: ChatResult;
      let cached: boolean;
      let cost = 0;
      // The row is built once, by the check that accepts the answer (fresh answers) or below (cached ones).
      let accepted: GeneratedRecord | undefined;
      try {
        const outcome = await client.complete(parameters, {
          signal: options.cancel,
          accept: (candidate) => {
            const record = requests.toRecord(input, candidate, maxTokens);
            if ('rejection' in record) return record.rejection;
            accepted = record;
            return null;
          },
        });
        budget.charge(outcome.wastedUsage);
        result = outcome.result;
        cached = outcome.cached;
        if (!cached) {
          cost = budget.charge(result.usage);
          await sink.durable();
        }
      } catch (error) {
        const details = failureDetails(error);
        budget.charge(details.wastedUsage);
        if (options.cancel?.aborted) return true;
        sink.failure({ id: input.id, input: input.input, error: errorMessage(error), attempts: details.attempts });
        return true;
      } finally {
        reservation.release();
      }
      const record = accepted ?? requests.toRecord(input, result, maxTokens);
      if ('rejection' in record) {
        sink.failure({ id: input.id, input: input.input, error: record.rejection, attempts: 1 });
        return true;
      }
      if (record.truncated && onTruncated === 'retry' && maxTokens < requests.retryMaxTokens && !signal.aborted) {
        truncated = { record, cached, cost };
        maxTokens = requests.retryMaxTokens;
        continue;
      }
      if (record.truncated && onTruncated === 'drop') {
        sink.failure({ id: input.id, input: input.input, error: `truncated at ${maxTokens} tokens (teacher.on_truncated: drop)`, attempts: 1 });
        return true;
      }
      sink.record(record, { cached, cost });
      return true;
    }
  };

  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      if (signal.aborted) return;
      const input = inputs[next++]!;
      if (!(await answer(input))) unsent++;
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, inputs.length)) }, worker));
  if (signal.aborted) unsent += inputs.length - next;
  return { unsent };
}
