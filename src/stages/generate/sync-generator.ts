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
}

export interface SyncGenerationOptions {
  inputs: InputRecord[];
  requests: TeacherRequests;
  client: ModelClient;
  budget: Budget;
  sink: GenerationSink;
  signal: AbortSignal;
  workers: number;
}

export interface SyncGenerationResult {
  /** Inputs never sent because the budget ran out or the run was stopped. */
  unsent: number;
}

/**
 * Asks the teacher about every input with a fixed pool of workers; the client's adaptive semaphore decides
 * how many of them are in flight. Memory stays flat: no promise per input, results stream to the sink.
 */
export async function generateSync(options: SyncGenerationOptions): Promise<SyncGenerationResult> {
  const { inputs, requests, client, budget, sink, signal } = options;
  let next = 0;
  let unsent = 0;
  const onTruncated = requests.teacher.on_truncated;

  const answer = async (input: InputRecord): Promise<void> => {
    let maxTokens = requests.teacher.max_tokens;
    for (;;) {
      const parameters = requests.parameters(input, maxTokens);
      let result: ChatResult;
      let cached: boolean;
      // The row is built once, by the check that accepts the answer (fresh answers) or below (cached ones).
      let accepted: GeneratedRecord | undefined;
      try {
        const outcome = await client.complete(parameters, {
          signal,
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
      } catch (error) {
        const details = failureDetails(error);
        budget.charge(details.wastedUsage);
        if (signal.aborted) return;
        sink.failure({ id: input.id, input: input.input, error: errorMessage(error), attempts: details.attempts });
        return;
      }
      const cost = cached ? 0 : budget.charge(result.usage);
      const record = accepted ?? requests.toRecord(input, result, maxTokens);
      if ('rejection' in record) {
        sink.failure({ id: input.id, input: input.input, error: record.rejection, attempts: 1 });
        return;
      }
      if (record.truncated && onTruncated === 'retry' && maxTokens < requests.retryMaxTokens && !budget.exhausted) {
        maxTokens = requests.retryMaxTokens;
        continue;
      }
      if (record.truncated && onTruncated === 'drop') {
        sink.failure({ id: input.id, input: input.input, error: `truncated at ${maxTokens} tokens (teacher.on_truncated: drop)`, attempts: 1 });
        return;
      }
      sink.record(record, { cached, cost });
      return;
    }
  };

  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      if (signal.aborted) return;
      const input = inputs[next++]!;
      // Cached answers cost nothing, so the budget only stops requests that would be sent.
      if (budget.exhausted && client.cached(requests.parameters(input)) === undefined) {
        unsent++;
        continue;
      }
      await answer(input);
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, inputs.length)) }, worker));
  if (signal.aborted) unsent += inputs.length - next;
  return { unsent };
}
