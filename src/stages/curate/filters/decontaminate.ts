import { z } from 'zod';
import { datasetReferenceSchema } from '../../../config/evaluate-config.js';
import { partitionRecords } from '../filter.js';
import { defineFilter } from '../filter-definition.js';
import { NearDuplicateFinder } from '../near-dedup/near-duplicate-finder.js';
import { ShingleKindSchema } from '../near-dedup/shingles.js';
import { normalizeText } from '../normalize-text.js';
import { TextFieldSchema, textOf } from '../text-field.js';
import { readEvaluationTexts } from './read-evaluation-texts.js';

const DecontaminateOptionsSchema = z
  .object({
    /** A file of evaluation inputs beside the config, or a standard set by name ({ dataset: jfleg, split: test }). */
    against: z.union([z.string().min(1), datasetReferenceSchema]),
    /** The column of the evaluation file holding its inputs. */
    field: z.string().min(1).default('input'),
    on: TextFieldSchema.default('input'),
    /** Also drop near-duplicates at this estimated Jaccard; exact (normalized) matches only when absent. */
    near: z.number().gt(0).lte(1).optional(),
    shingle: ShingleKindSchema.default('word'),
    size: z.number().int().positive().default(3),
    num_perm: z.number().int().min(2).max(1024).default(128),
  })
  .strict();

/** Training on (near-)copies of evaluation inputs inflates every score the student later reports. */
export const decontaminateFilter = defineFilter({
  name: 'decontaminate',
  options: DecontaminateOptionsSchema,
  create: async (options, dependencies) => {
    const evaluation = await readEvaluationTexts(dependencies.configDirectory, options.against, options.field);
    const exact = new Map<string, number>();
    evaluation.forEach((text, index) => {
      const key = normalizeText(text);
      if (!exact.has(key)) exact.set(key, index);
    });
    let finder: NearDuplicateFinder | null = null;
    const slotToLine: number[] = [];
    if (options.near !== undefined) {
      finder = new NearDuplicateFinder(
        { threshold: options.near, shingle: options.shingle, size: options.size, numPerm: options.num_perm },
        evaluation.length,
      );
      for (const [index, text] of evaluation.entries()) if (finder.insert(text) >= 0) slotToLine.push(index);
    }
    const describe = (index: number, match: 'exact' | 'near', similarity: number) => ({
      reason: 'contaminated',
      detail: { match, similarity, evaluation_index: index, evaluation_text: evaluation[index]?.slice(0, 200) },
    });
    return {
      name: 'decontaminate',
      cost: 6,
      apply: async (records) =>
        partitionRecords(records, (record) => {
          const text = textOf(record, options.on);
          const line = exact.get(normalizeText(text));
          if (line !== undefined) return describe(line, 'exact', 1);
          const near = finder?.query(text);
          return near ? describe(slotToLine[near.slot]!, 'near', near.similarity) : null;
        }),
    };
  },
});
