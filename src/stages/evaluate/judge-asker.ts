import { errorMessage } from '../../errors.js';
import type { ModelClient } from '../../llm/model-client.js';
import { splitReasoning } from '../generate/reasoning.js';
import type { JudgeConfig } from './evaluate-config.js';

export interface JudgeReply {
  /** The reply with reasoning removed; empty when the call failed. */
  answer: string;
  error: string | null;
  cached: boolean;
}

/** One question to the judge. Separate from HTTP so the judging logic can be tested with scripted replies. */
export type AskJudge = (prompt: string) => Promise<JudgeReply>;

/** Asks the configured judge through the ModelClient (cached, so a re-run pays for no verdict twice). */
export function judgeAsker(client: ModelClient, judge: JudgeConfig, signal: AbortSignal): AskJudge {
  return async (prompt) => {
    try {
      const { result, cached } = await client.complete(
        { model: judge.model, messages: [{ role: 'user', content: prompt }], max_tokens: judge.max_tokens, temperature: judge.temperature, extra: judge.extra_body },
        { signal },
      );
      return { answer: splitReasoning(result.content, result.reasoningContent).output, error: null, cached };
    } catch (error) {
      return { answer: '', error: errorMessage(error), cached: false };
    }
  };
}
