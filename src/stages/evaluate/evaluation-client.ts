import { stageClient } from '../stage-client.js';

/** A ModelClient for one endpoint and model, sharing the run's response cache; retries are counted. */
export const evaluationClient = stageClient;

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
