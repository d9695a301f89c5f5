import { join } from 'node:path';
import type { LoadedTask } from '../../config/load.js';
import type { TeacherConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { ParsedLogprobs } from '../../llm/logprobs.js';
import { isOpenAiReasoningModel } from '../../llm/provider-flavor.js';
import type { ModelClient } from '../../llm/model-client.js';
import type { InputRecord } from '../inputs/input-record.js';
import { encodeLogprobsRow } from './logprobs-file.js';
import { storedRow, writeFileDurably } from './outputs-file.js';
import type { TeacherRequests } from './teacher-request.js';

/** `generate/logprobs.jsonl` beside `outputs.jsonl`. */
export function logprobsPath(generateDir: string): string {
  return join(generateDir, 'logprobs.jsonl');
}

/**
 * `teacher.logprobs`: asks the teacher for its top-k log-probabilities (`logprobs: true, top_logprobs: k`, the
 * Chat Completions parameters) and records them per output id. Refused where the endpoint would not return them:
 * the worker's own server (`local`) serves none, OpenAI's reasoning models reject the parameters, Together documents
 * `logprobs` as a count rather than the OpenAI pair (togethercomputer/openapi: integer 0–20), and a streamed answer is
 * not parsed for them.
 */
export class TeacherLogprobs {
  constructor(
    readonly topK: number,
    private readonly path: string,
  ) {}

  static forTeacher(task: LoadedTask, teacher: TeacherConfig, generateDir: string): TeacherLogprobs | undefined {
    if (!teacher.logprobs || teacher.logprobs.source === 'score') return undefined; // scored afterwards (answer-scoring.ts)
    const flavor = task.config.endpoints[teacher.endpoint]?.flavor ?? 'openai';
    const refuse = (why: string): never => {
      throw new ConfigError(`teacher.logprobs: ${why}`, task.file, 'teacher.logprobs');
    };
    if (flavor === 'local' || flavor === 'together') refuse(`the ${flavor} endpoint flavor does not return top_logprobs`);
    if (flavor === 'openai' && isOpenAiReasoningModel(teacher.model)) refuse(`OpenAI reasoning model ${teacher.model} does not return logprobs`);
    if (teacher.stream) refuse('streamed answers are not parsed for logprobs; set teacher.stream: false');
    return new TeacherLogprobs(teacher.logprobs.top_k, logprobsPath(generateDir));
  }

  /** The request fields (part of the cache key, so answers without log-probs are never reused for these). */
  get requestFields(): Record<string, unknown> {
    return { logprobs: true, top_logprobs: this.topK };
  }

  /** Why an answer cannot be a row when the server sent no log-probs (it is asked again), else null. */
  check(logprobs: ParsedLogprobs | null | undefined): string | null {
    return !logprobs || logprobs.positions.length === 0 ? 'no logprobs in the answer (teacher.logprobs is set)' : null;
  }

  /**
   * Writes `logprobs.jsonl` from the stored answers, like `outputs.jsonl` and in the same order: the response
   * cache keeps each answer with its log-probs, so this file is derived (atomically) and never the record of
   * progress; a kill leaves the previous file or the new one, and no row is written twice.
   */
  writeFile(inputs: readonly InputRecord[], requests: TeacherRequests, client: ModelClient): void {
    writeFileDurably(this.path, (write) => {
      for (const input of inputs) {
        const row = storedRow(input, requests, client);
        if (row === undefined || 'dropped' in row || !row.answer.logprobs) continue;
        write(`${JSON.stringify(encodeLogprobsRow({ id: input.id, logprobs: row.answer.logprobs }))}\n`);
      }
    });
  }
}
