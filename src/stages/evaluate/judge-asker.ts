import { errorMessage } from '../../errors.js';
import type { ModelClient } from '../../llm/model-client.js';
import type { Usage } from '../../llm/protocol.js';
import { splitReasoning } from '../../llm/reasoning.js';
import type { JudgeConfig } from './evaluate-config.js';

export interface JudgeReply {
  /** The reply with reasoning removed; empty when the call failed. */
  answer: string;
  error: string | null;
  cached: boolean;
}

/** One question to the judge. Separate from HTTP so the judging logic can be tested with scripted replies. */
export type AskJudge = (prompt: string) => Promise<JudgeReply>;

/** Asks the configured judge through the ModelClient (cached, so a re-run pays for no verdict twice); `spent` adds up what was paid. */
export function judgeAsker(client: ModelClient, judge: JudgeConfig, signal: AbortSignal, spent: Usage = { prompt_tokens: 0, completion_tokens: 0 }): AskJudge {
  return async (prompt) => {
    try {
      const { result, cached } = await client.complete(
        { model: judge.model, messages: [{ role: 'user', content: prompt }], max_tokens: judge.max_tokens, temperature: judge.temperature, extra: judge.extra_body },
        { signal },
      );
      if (!cached) {
        spent.prompt_tokens += result.usage.prompt_tokens;
        spent.completion_tokens += result.usage.completion_tokens;
      }
      return { answer: splitReasoning(result.content, result.reasoningContent).output, error: null, cached };
    } catch (error) {
      return { answer: '', error: errorMessage(error), cached: false };
    }
  };
}
