export { startFakeProvider, type FakeProvider, type FakeProviderOptions } from './server.js';
export { countTokens, countPromptTokens, truncateToTokens } from './tokens.js';
export { embedText } from './embeddings.js';
export { defaultLossCurve, type EpochLosses, type LossCurve } from './training-data.js';
export { formatResetDuration, type RateLimitOptions } from './rate-limit.js';
export type { FaultKind, FaultMatch, FaultRule } from './faults.js';
export type { BatchLineFailure, BatchOptions } from './batches.js';
export type { FineTuningOptions } from './fine-tuning.js';
export type { AnswerFunction, AnswerObject, ChatRequest, FakeProviderBehaviour, FakeProviderBehaviourPatch, FakeProviderState, RecordedRequest } from './types.js';
