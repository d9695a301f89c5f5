import { parentPort, workerData } from 'node:worker_threads';
import { MinHasher, type MinHashOptions } from './minhash.js';

/** Signs its share of the texts into shared memory, announcing each finished chunk in order. */
export interface MinHashWorkerData {
  options: MinHashOptions;
  signatures: SharedArrayBuffer;
  hasShingles: SharedArrayBuffer;
  chunks: Array<{ chunk: number; start: number; texts: string[] }>;
}

const data = workerData as MinHashWorkerData;
const hasher = new MinHasher(data.options);
const signatures = new Uint32Array(data.signatures);
const hasShingles = new Uint8Array(data.hasShingles);
for (const { chunk, start, texts } of data.chunks) {
  texts.forEach((text, offset) => {
    const index = start + offset;
    hasShingles[index] = hasher.signInto(text, signatures, index * data.options.numPerm) ? 1 : 0;
  });
  parentPort?.postMessage(chunk);
}
