import type { HttpClient } from '../../../llm/http-client.js';
import { ConfigError } from '../../../errors.js';
import type { FineTuningApi } from './hosted-job.js';
import { OpenAiFineTuning } from './openai-fine-tuning.js';
import { TogetherFineTuning } from './together-fine-tuning.js';

/** The fine-tuning API of an endpoint, by its configured `flavor`. */
export function fineTuningApi(http: HttpClient, flavor: string, endpointName: string, file: string): FineTuningApi {
  if (flavor === 'openai' || flavor === 'nebius') return new OpenAiFineTuning(http, flavor);
  if (flavor === 'together') return new TogetherFineTuning(http);
  throw new ConfigError(`${file}: endpoints.${endpointName}.flavor: '${flavor}' has no fine-tuning API (use openai, nebius or together)`, file, `endpoints.${endpointName}.flavor`);
}
