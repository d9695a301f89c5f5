import { ModelClient } from '../../llm/model-client.js';
import type { StageContext } from '../context.js';

/** A ModelClient for one endpoint and model, sharing the run's response cache; retries are counted. */
export async function evaluationClient(context: StageContext, endpointName: string, model: string, concurrency: number): Promise<{ client: ModelClient; retries: () => number }> {
  const endpoint = await context.endpoint(endpointName, model);
  let retries = 0;
  const client = new ModelClient({
    http: endpoint.http,
    concurrency,
    rpm: endpoint.rpm,
    tpm: endpoint.tpm,
    retry: { maxAttempts: endpoint.maxAttempts },
    cache: context.cache,
    onEvent: (event) => {
      if (event.type === 'request-retried') retries++;
    },
  });
  return { client, retries: () => retries };
}

/** Runs `work` over `items` with a fixed pool of workers (the client's semaphore bounds what is in flight). */
export async function forEachWithWorkers<T>(items: readonly T[], workers: number, signal: AbortSignal, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
}
