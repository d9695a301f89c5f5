import type { EmbedFunction } from './chat.js';
import { CurateError } from './curate-error.js';

export interface EmbeddingDuplicateResult {
  /** Index of the earlier kept text each text duplicates, or -1. */
  duplicateOf: Int32Array;
  cosine: Float32Array;
}

/**
 * Greedy keep-first dedup by embedding cosine: a text is dropped when it is within `threshold` of
 * any kept text. Quadratic in kept texts (a linear scan per text), meant for thousands, not millions.
 */
export async function findEmbeddingDuplicates(
  texts: readonly string[],
  embed: EmbedFunction,
  options: { threshold: number; batchSize: number },
): Promise<EmbeddingDuplicateResult> {
  const duplicateOf = new Int32Array(texts.length).fill(-1);
  const cosine = new Float32Array(texts.length);
  const kept: Array<{ index: number; vector: Float32Array }> = [];
  for (let start = 0; start < texts.length; start += options.batchSize) {
    const batch = texts.slice(start, start + options.batchSize);
    const vectors = await embed(batch);
    if (vectors.length !== batch.length) {
      throw new CurateError(`embed returned ${vectors.length} vectors for ${batch.length} texts`);
    }
    vectors.forEach((raw, offset) => {
      const index = start + offset;
      const vector = unitVector(raw);
      let best = -1;
      let bestCosine = -Infinity;
      for (const candidate of kept) {
        const similarity = dot(vector, candidate.vector);
        if (similarity > bestCosine) {
          bestCosine = similarity;
          best = candidate.index;
        }
      }
      if (best >= 0 && bestCosine >= options.threshold) {
        duplicateOf[index] = best;
        cosine[index] = bestCosine;
      } else {
        kept.push({ index, vector });
      }
    });
  }
  return { duplicateOf, cosine };
}

function unitVector(values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  const norm = Math.sqrt(dot(vector, vector));
  if (norm > 0) for (let index = 0; index < vector.length; index++) vector[index]! /= norm;
  return vector;
}

function dot(left: Float32Array, right: Float32Array): number {
  if (left.length !== right.length) throw new CurateError(`embedding sizes differ: ${left.length} and ${right.length}`);
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!;
  return sum;
}
