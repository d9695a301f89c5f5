import type { FallbackPolicy } from './fallback-policy.js';
import type { RequestRecorder } from './request-recorder.js';
import type { ServeTargets } from './serve-target.js';

/** What answering a chat completion needs: the models, the fallback rules, the limits, the recorder. */
export interface ChatDependencies {
  targets: ServeTargets;
  policy: FallbackPolicy;
  studentTimeoutMs: number;
  fallbackTimeoutMs: number;
  recorder: RequestRecorder;
}
