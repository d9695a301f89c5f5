import type { LoadedTask } from '../config/load.js';
import type { HttpClient } from '../llm/http-client.js';
import type { ResponseCache } from '../store/response-cache.js';
import type { RunState } from '../store/run-state.js';
import type { EventSink } from './events.js';
import type { RunPaths } from './run-paths.js';

/** Everything a stage needs, built by the pipeline; stages never open files or databases of their own accord. */
export interface StageContext {
  task: LoadedTask;
  paths: RunPaths;
  state: RunState;
  cache: ResponseCache;
  emit: EventSink;
  signal: AbortSignal;
  environment: NodeJS.ProcessEnv;
  /**
   * The HTTP client of a named endpoint. Async because the built-in `local` endpoint starts the Python
   * worker on first use (serving `model`); configured endpoints read their API key from the environment.
   */
  endpoint(name: string, model?: string): Promise<EndpointHandle>;
}

export interface EndpointHandle {
  http: HttpClient;
  rpm?: number;
  tpm?: number;
  maxAttempts: number;
  flavor: 'openai' | 'nebius' | 'together' | 'vllm' | 'local';
}
