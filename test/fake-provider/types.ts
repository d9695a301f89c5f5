import type { BatchOptions, BatchRecord } from './batches.js';
import type { FaultRule } from './faults.js';
import type { FileStore } from './files.js';
import type { FineTuningOptions, FineTuningJobRecord } from './fine-tuning.js';
import type { CustomModelRecord } from './nebius-models.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { RequestContext } from './http.js';
import type { TogetherJobRecord } from './together-fine-tunes.js';

export interface ChatMessage {
  role: string;
  content?: unknown;
  [field: string]: unknown;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [field: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface AnswerObject {
  content: string;
  reasoning_content?: string;
  finish_reason?: string;
  /** Overrides the counted usage, field by field. */
  usage?: Partial<Usage>;
}

export type AnswerFunction = (request: ChatRequest) => string | AnswerObject | Promise<string | AnswerObject>;

/** What `setBehaviour` can change while the server runs. */
export interface FakeProviderBehaviour {
  /** Fixed delay before every chat completion, in ms. */
  latencyMs: number;
  /** The assistant's answer; default: the last user message, uppercased. */
  answer: AnswerFunction;
  faults: FaultRule[];
  /** Server-side limit on chat completions; undefined: no limit and no rate-limit headers. */
  rateLimit: RateLimitOptions | undefined;
  /** Chat completions above this many in flight answer 429 at once (a provider's concurrency cap); undefined: no cap. */
  maxInFlight: number | undefined;
  /** When set, chat completions answer 404 `model_not_found` for other models (fine-tuned and deployed models are always accepted). */
  models: string[] | undefined;
  /** Output line shape of batch results. */
  batchShape: 'openai' | 'nebius';
  /** Status names a batch walks through. */
  batchStatusFlow: 'openai' | 'nebius' | 'together';
  batch: BatchOptions;
  fineTuningFlavor: 'openai' | 'nebius' | 'together';
  fineTuning: FineTuningOptions;
}

/** `setBehaviour`'s argument and the behaviour part of the options: everything optional, `batch`/`fineTuning` merged field by field. */
export type FakeProviderBehaviourPatch = Partial<Omit<FakeProviderBehaviour, 'batch' | 'fineTuning'>> & {
  batch?: Partial<BatchOptions>;
  fineTuning?: Partial<FineTuningOptions>;
};

export interface RecordedRequest {
  method: string;
  path: string;
  /** Parsed JSON body; for multipart uploads `{ purpose, filename, bytes }`; undefined when empty or not JSON. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** `Date.now()` when the request arrived. */
  time: number;
  /** The response's status, once the handler is done (a dropped connection has none of its own). */
  status?: number;
  /** `Date.now()` when the handler was done. */
  doneTime?: number;
  /** A whole response was written (not dropped before or mid-response): for a 200 chat completion, a paid answer. */
  delivered?: boolean;
}

export interface FakeProviderState {
  requests: RecordedRequest[];
  files: FileStore;
  batches: Map<string, BatchRecord>;
  fineTuningJobs: Map<string, FineTuningJobRecord>;
  togetherJobs: Map<string, TogetherJobRecord>;
  customModels: Map<string, CustomModelRecord>;
  /** Models produced by fine-tuning or deployment, accepted by chat completions. */
  servedModels: Set<string>;
}

/** What route handlers get from the server. */
export interface ProviderRuntime {
  readonly state: FakeProviderState;
  behaviour(): FakeProviderBehaviour;
  /** A delay that `close()` cuts short. */
  delay(ms: number): Promise<void>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  handle(ctx: RequestContext, params: string[]): void | Promise<void>;
}
