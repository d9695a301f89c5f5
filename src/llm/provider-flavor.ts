/** Which provider an endpoint is, as configured (`endpoints.*.flavor`); it decides the protocol differences. */
export type ProviderFlavor = 'openai' | 'nebius' | 'together' | 'vllm' | 'local';

/** OpenAI's reasoning models (o1, o3, o4-mini, gpt-5 and later, fine-tuned ones included). */
export function isOpenAiReasoningModel(model: string): boolean {
  return /^(ft:)?(o\d|gpt-5)/.test(model);
}

/** Fields of a chat template that only servers rendering the template themselves accept. */
const CHAT_TEMPLATE_FIELDS = ['continue_final_message', 'add_generation_prompt'] as const;

/**
 * A chat request body as the endpoint's provider documents it:
 * - `continue_final_message` / `add_generation_prompt` go only to servers that render the chat template
 *   (vLLM, SGLang, the local worker, Nebius); OpenAI and Together reject or ignore them.
 * - OpenAI reasoning models take `max_completion_tokens` (they refuse `max_tokens`) and only the default
 *   temperature and top_p, so those are not sent.
 * With no flavor (a bare HttpClient) the body passes unchanged.
 */
export function bodyForProvider(body: Record<string, unknown>, flavor: ProviderFlavor | undefined, model: string): Record<string, unknown> {
  if (flavor === 'openai' || flavor === 'together') {
    for (const field of CHAT_TEMPLATE_FIELDS) delete body[field];
  }
  if (flavor === 'openai' && isOpenAiReasoningModel(model)) {
    if (body.max_tokens !== undefined) {
      body.max_completion_tokens ??= body.max_tokens;
      delete body.max_tokens;
    }
    delete body.temperature;
    delete body.top_p;
  }
  return body;
}
