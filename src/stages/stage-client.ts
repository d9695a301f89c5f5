import { ModelClient, type ClientEvent } from '../llm/model-client.js';
import type { StageContext } from './context.js';

/**
 * A ModelClient for one endpoint and model as every stage wants it: the endpoint's limits and attempts, the
 * run's response cache, and retries counted. Generation, judging, synthesis and evaluation all use this.
 */
export async function stageClient(
  context: StageContext,
  endpointName: string,
  model: string,
  concurrency: number,
  onEvent?: (event: ClientEvent) => void,
  options: { stream?: boolean } = {},
): Promise<{ client: ModelClient; retries: () => number }> {
  const endpoint = await context.endpoint(endpointName, model);
  let retries = 0;
  const client = new ModelClient({
    http: endpoint.http,
    concurrency,
    rpm: endpoint.rpm,
    tpm: endpoint.tpm,
    retry: { maxAttempts: endpoint.maxAttempts },
    cache: context.cache,
    stream: options.stream,
    onEvent: (event) => {
      if (event.type === 'request-retried') retries++;
      onEvent?.(event);
    },
  });
  return { client, retries: () => retries };
}
