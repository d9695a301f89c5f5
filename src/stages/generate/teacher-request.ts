import { resolvePrompt, type LoadedTask } from '../../config/load.js';
import type { TeacherConfig } from '../../config/schema.js';
import { buildPrompt } from '../../data/chat-format.js';
import type { ChatParameters } from '../../llm/chat.js';
import type { InputRecord } from '../inputs/input-record.js';
import type { GeneratedRecord } from './generated-record.js';
import { splitReasoning } from '../../llm/reasoning.js';
import type { ParsedLogprobs } from '../../llm/logprobs.js';
import type { TeacherLogprobs } from './teacher-logprobs.js';

export interface AnswerFields {
  content: string;
  reasoningContent: string | null;
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number };
  logprobs?: ParsedLogprobs | null;
}

/** How the teacher is asked, and how its answer becomes an output row; shared by sync and batch mode. */
export class TeacherRequests {
  readonly system: string | undefined;

  constructor(
    task: LoadedTask,
    readonly teacher: TeacherConfig,
    readonly logprobs?: TeacherLogprobs,
  ) {
    this.system = resolvePrompt(task, teacher.system, 'teacher.system');
  }

  parameters(input: InputRecord, maxTokens = this.teacher.max_tokens): ChatParameters {
    const prompt = buildPrompt(
      { system: this.system, userTemplate: this.teacher.user_template, fewShot: this.teacher.few_shot, assistantPrefix: this.teacher.assistant_prefix, noThink: this.teacher.no_think },
      input.input,
      input.fields,
    );
    return {
      model: this.teacher.model,
      messages: prompt.messages,
      max_tokens: maxTokens,
      temperature: this.teacher.temperature,
      top_p: this.teacher.top_p,
      seed: this.teacher.seed,
      extra: { ...prompt.extra, ...this.teacher.extra_body, ...this.logprobs?.requestFields },
    };
  }

  /** Truncated: the server said `length`, or the answer used every token it was allowed. */
  isTruncated(answer: AnswerFields, maxTokens: number): boolean {
    return answer.finishReason === 'length' || answer.usage.completion_tokens >= maxTokens;
  }

  /** The output row, or why this answer is not a row (an answer that is empty once reasoning is removed). */
  toRecord(input: InputRecord, answer: AnswerFields, maxTokens: number): GeneratedRecord | { rejection: string } {
    const { output, reasoning } = splitReasoning(answer.content, answer.reasoningContent, this.teacher.assistant_prefix);
    const truncated = this.isTruncated(answer, maxTokens);
    if (output === '' && !truncated) return { rejection: 'empty answer once reasoning is removed' };
    const noLogprobs = this.logprobs?.check(answer.logprobs);
    if (noLogprobs) return { rejection: noLogprobs };
    const record: GeneratedRecord = {
      id: input.id,
      input: input.input,
      output,
      reasoning,
      finish_reason: answer.finishReason,
      truncated,
      usage: { prompt_tokens: answer.usage.prompt_tokens, completion_tokens: answer.usage.completion_tokens },
    };
    if (input.fields) record.fields = input.fields;
    return record;
  }

  /** max_tokens for a retry of a truncated answer (`on_truncated: retry`). */
  get retryMaxTokens(): number {
    return this.teacher.retry_max_tokens ?? this.teacher.max_tokens * 2;
  }
}
