import { Worker } from 'node:worker_threads';
import { CurateError } from '../curate-error.js';
import type { MinHashWorkerData } from './minhash-worker.js';
import { findNearDuplicates, KeepFirstDedup, type NearDuplicateResult, type NearDuplicateSettings } from './near-duplicate-finder.js';

const CHUNK = 16_384;

/**
 * `findNearDuplicates` with signatures computed by worker threads while this thread runs the
 * (order-dependent, so sequential) LSH pass on the chunks already signed: on two cores, signing
 * and indexing overlap. Same result as the single-threaded version; `workers` in the result says
 * how many threads signed (0: this one). Falls back to it when workers
 * cannot start (e.g. running TypeScript sources under a test runner that does not hook workers).
 */
export async function findNearDuplicatesParallel(
  texts: readonly string[],
  settings: NearDuplicateSettings,
  workers = 1,
): Promise<NearDuplicateResult> {
  if (workers < 1 || texts.length < CHUNK * 2) return findNearDuplicates(texts, settings);
  const numPerm = settings.numPerm;
  const signatureMemory = new SharedArrayBuffer(texts.length * numPerm * 4);
  const shingleMemory = new SharedArrayBuffer(texts.length);
  const chunkCount = Math.ceil(texts.length / CHUNK);
  const ready = new Uint8Array(chunkCount);
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  let anyChunkDone = false;
  const pool: Worker[] = [];
  for (let worker = 0; worker < workers; worker++) {
    const chunks: MinHashWorkerData['chunks'] = [];
    for (let chunk = worker; chunk < chunkCount; chunk += workers) {
      chunks.push({ chunk, start: chunk * CHUNK, texts: texts.slice(chunk * CHUNK, (chunk + 1) * CHUNK) });
    }
    const data: MinHashWorkerData = {
      options: { numPerm, shingle: settings.shingle, size: settings.size, seed: settings.seed },
      signatures: signatureMemory,
      hasShingles: shingleMemory,
      chunks,
    };
    let thread: Worker;
    try {
      thread = startWorker(data);
    } catch {
      // No way to start a worker here (e.g. a test runner without import.meta.resolve): sign in this thread.
      await Promise.all(pool.map((started) => started.terminate()));
      return findNearDuplicates(texts, settings);
    }
    pool.push(thread);
    thread.on('message', (chunk: number) => {
      anyChunkDone = true;
      ready[chunk] = 1;
      wake?.();
    });
    thread.on('error', (error) => {
      failure ??= error;
      wake?.();
    });
    thread.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`worker exited with code ${code}`);
      wake?.();
    });
  }
  try {
    const signatures = new Uint32Array(signatureMemory);
    const hasShingles = new Uint8Array(shingleMemory);
    const dedup = new KeepFirstDedup(settings, texts.length, signatures);
    for (let chunk = 0; chunk < chunkCount; chunk++) {
      while (ready[chunk] === 0) {
        if (failure !== null) {
          if (!anyChunkDone) return findNearDuplicates(texts, settings);
          throw new CurateError(`near-dedup worker failed: ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure });
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const end = Math.min(texts.length, (chunk + 1) * CHUNK);
      for (let index = chunk * CHUNK; index < end; index++) dedup.accept(index, signatures, index * numPerm, hasShingles[index] === 1);
    }
    return { ...dedup.result(), workers };
  } finally {
    await Promise.all(pool.map((thread) => thread.terminate()));
  }
}

/**
 * The worker next to this module: `.js` once compiled. When running TypeScript sources (tsx), the
 * worker must register tsx's loader itself, since tsx hooks only the main thread.
 */
function startWorker(data: MinHashWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./minhash-worker.js', import.meta.url), { workerData: data });
  const script = new URL('./minhash-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}
