import { join } from 'node:path';
import type { LoadedTask } from '../../config/load.js';
import type { TeacherConfig } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import type { ParsedLogprobs } from '../../llm/logprobs.js';
import { isOpenAiReasoningModel } from '../../llm/provider-flavor.js';
import { appendLogprobsRow } from './logprobs-file.js';

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
    if (!teacher.logprobs) return undefined;
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

  /** Records an answer's log-probs; the reason it cannot be a row when the server sent none (it is retried). */
  record(id: string, logprobs: ParsedLogprobs | null | undefined): string | null {
    if (!logprobs || logprobs.positions.length === 0) return 'no logprobs in the answer (teacher.logprobs is set)';
    appendLogprobsRow(this.path, { id, logprobs });
    return null;
  }
}
