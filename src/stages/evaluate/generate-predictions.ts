import { buildPrompt } from '../../data/chat-format.js';
import { errorMessage } from '../../errors.js';
import type { ChatParameters } from '../../llm/chat.js';
import type { ModelClient } from '../../llm/model-client.js';
import { splitReasoning } from '../../llm/reasoning.js';
import type { ComparedModel } from './compared-model.js';
import { forEachWithWorkers } from './evaluation-client.js';
import type { EvaluationItem } from './evaluation-item.js';
import type { PredictionRecord } from './prediction-record.js';

/** The request for one item: the model's prompt (system, few-shot, assistant prefix, /no_think) and parameters. */
export function predictionParameters(model: ComparedModel, item: EvaluationItem): ChatParameters {
  const prompt = buildPrompt(model.prompt, item.input);
  return {
    model: model.model,
    messages: prompt.messages,
    max_tokens: model.maxTokens,
    temperature: model.temperature,
    top_p: model.topP,
    seed: model.seed,
    extra: { ...prompt.extra, ...model.extraBody },
  };
}

/**
 * Asks one model about every item through the ModelClient (cache, retries, concurrency). Reasoning is split
 * off; a request that fails for good becomes a row with an empty output and its error (reported, and left
 * out of the scores: see request-failures.ts).
 */
export async function generatePredictions(
  model: ComparedModel,
  items: readonly EvaluationItem[],
  client: ModelClient,
  options: { workers: number; signal: AbortSignal; onDone?: (prediction: PredictionRecord) => void },
): Promise<PredictionRecord[]> {
  const predictions = new Array<PredictionRecord>(items.length);
  await forEachWithWorkers(items, options.workers, options.signal, async (item, index) => {
    const base = { id: item.id, model: model.name, model_id: model.model };
    try {
      // An empty answer is this model's prediction (an untuned base often gives one): scored, not an error.
      const { result, cached } = await client.complete(predictionParameters(model, item), { signal: options.signal, stream: model.stream, allowEmpty: true });
      const { output, reasoning } = splitReasoning(result.content, result.reasoningContent, model.prompt.assistantPrefix);
      predictions[index] = {
        ...base, output, reasoning, finish_reason: result.finishReason,
        latency_ms: result.latencyMs, time_to_first_token_ms: result.timeToFirstTokenMs,
        prompt_tokens: result.usage.prompt_tokens, completion_tokens: result.usage.completion_tokens, cached, error: null,
      };
    } catch (error) {
      predictions[index] = {
        ...base, output: '', reasoning: null, finish_reason: null, latency_ms: null, time_to_first_token_ms: null,
        prompt_tokens: 0, completion_tokens: 0, cached: false, error: errorMessage(error),
      };
    }
    options.onDone?.(predictions[index]!);
  });
  return [...predictions].filter((prediction) => prediction !== undefined);
}
