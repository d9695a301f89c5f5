import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../../../errors.js';
import { findEmbeddingDuplicates } from '../embedding-duplicates.js';
import { findExactDuplicates } from '../exact-duplicates.js';
import type { DroppedRecord, FilterResult } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import { nearDuplicateSettings, NearDedupOptionsSchema } from '../near-dedup/near-duplicate-finder.js';
import { findNearDuplicatesParallel } from '../near-dedup/parallel-near-duplicates.js';
import type { GeneratedRecord } from '../record.js';
import { TextFieldSchema, textOf, type TextField } from '../text-field.js';

const DedupOptionsSchema = z
  .object({
    exact: z.boolean().default(true),
    /** What the exact pass compares, and the default for `near.on` and `embedding.on`. */
    on: TextFieldSchema.default('input'),
    near: z.intersection(NearDedupOptionsSchema, z.object({ on: TextFieldSchema.optional() })).optional(),
    embedding: z
      .object({
        threshold: z.number().gt(0).lte(1).default(0.95),
        on: TextFieldSchema.optional(),
        batch_size: z.number().int().positive().default(64),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Runs one keep-first pass and moves the duplicates from `kept` into `dropped`. */
function dropDuplicates(
  state: FilterResult,
  duplicateOf: Int32Array,
  describe: (index: number, original: GeneratedRecord) => Omit<DroppedRecord, 'record'>,
): FilterResult {
  const kept: GeneratedRecord[] = [];
  const dropped: DroppedRecord[] = [...state.dropped];
  state.kept.forEach((record, index) => {
    const original = duplicateOf[index]!;
    if (original < 0) kept.push(record);
    else dropped.push({ record, ...describe(index, state.kept[original]!) });
  });
  return { kept, dropped };
}

const texts = (records: GeneratedRecord[], field: TextField) => records.map((record) => textOf(record, field));

export const dedupFilter = defineFilter({
  name: 'dedup',
  options: DedupOptionsSchema,
  create: (options, dependencies) => {
    const embed = dependencies.embed;
    if (options.embedding !== undefined && embed === undefined) {
      throw new ConfigError('dedup.embedding needs an embeddings endpoint; none was wired', dependencies.configDirectory, 'dedup.embedding');
    }
    return {
      name: 'dedup',
      // Embedding calls cost model time; hashing is cheap but still heavier than per-record checks.
      cost: options.embedding !== undefined ? 20 : options.near !== undefined ? 6 : 5,
      apply: async (records) => {
        let state: FilterResult = { kept: records, dropped: [] };
        if (options.exact) {
          state = dropDuplicates(state, findExactDuplicates(texts(state.kept, options.on)), (_, original) => ({
            reason: 'exact_duplicate',
            detail: { duplicate_of: original.id },
          }));
        }
        if (options.near !== undefined) {
          const workers = options.near.workers ?? Math.max(0, availableParallelism() - 1);
          const near = await findNearDuplicatesParallel(texts(state.kept, options.near.on ?? options.on), nearDuplicateSettings(options.near), workers);
          state = dropDuplicates(state, near.duplicateOf, (index, original) => ({
            reason: 'near_duplicate',
            detail: { duplicate_of: original.id, similarity: near.similarity[index] },
          }));
        }
        if (options.embedding !== undefined && embed !== undefined) {
          const { threshold, batch_size: batchSize } = options.embedding;
          const found = await findEmbeddingDuplicates(texts(state.kept, options.embedding.on ?? options.on), embed, { threshold, batchSize });
          state = dropDuplicates(state, found.duplicateOf, (index, original) => ({
            reason: 'embedding_duplicate',
            detail: { duplicate_of: original.id, cosine: found.cosine[index] },
          }));
        }
        return state;
      },
    };
  },
});
