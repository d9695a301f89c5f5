import { z } from 'zod';
import { LshIndex, type LshMatch } from './lsh-index.js';
import { optimalLshParameters } from './lsh-parameters.js';
import { MinHasher } from './minhash.js';
import { ShingleKindSchema, type ShingleKind } from './shingles.js';

/** The `near:` options of the dedup and decontaminate filters (snake_case, as written in YAML). */
export const NearDedupOptionsSchema = z
  .object({
    threshold: z.number().gt(0).lte(1).default(0.85),
    shingle: ShingleKindSchema.default('word'),
    size: z.number().int().positive().default(3),
    num_perm: z.number().int().min(2).max(1024).default(128),
    /** Override the threshold-derived LSH shape; both or neither. */
    bands: z.number().int().positive().optional(),
    rows: z.number().int().positive().optional(),
    seed: z.number().int().default(1),
  })
  .strict()
  .refine((options) => (options.bands === undefined) === (options.rows === undefined), {
    message: 'give both bands and rows, or neither',
  })
  .refine((options) => options.bands === undefined || options.bands * (options.rows ?? 1) <= options.num_perm, {
    message: 'bands × rows must not exceed num_perm',
  });
export type NearDedupOptions = z.output<typeof NearDedupOptionsSchema>;

export interface NearDuplicateSettings {
  threshold: number;
  shingle: ShingleKind;
  size: number;
  numPerm: number;
  bands?: number;
  rows?: number;
  seed?: number;
}

export function nearDuplicateSettings(options: NearDedupOptions): NearDuplicateSettings {
  return {
    threshold: options.threshold,
    shingle: options.shingle,
    size: options.size,
    numPerm: options.num_perm,
    bands: options.bands,
    rows: options.rows,
    seed: options.seed,
  };
}

export function lshShape(settings: NearDuplicateSettings): { bands: number; rows: number } {
  if (settings.bands !== undefined && settings.rows !== undefined) return { bands: settings.bands, rows: settings.rows };
  return optimalLshParameters(settings.threshold, settings.numPerm);
}

/**
 * Incremental near-duplicate detection over texts: signatures are computed once per text and
 * compared only with LSH candidates. Slots number the inserted texts from 0.
 */
export class NearDuplicateFinder {
  readonly bands: number;
  readonly rows: number;
  private readonly hasher: MinHasher;
  private readonly index: LshIndex;
  private readonly signature: Uint32Array;

  constructor(readonly settings: NearDuplicateSettings, expectedItems = 1024) {
    const shape = lshShape(settings);
    this.bands = shape.bands;
    this.rows = shape.rows;
    this.hasher = new MinHasher({ numPerm: settings.numPerm, shingle: settings.shingle, size: settings.size, seed: settings.seed });
    this.index = new LshIndex({ numPerm: settings.numPerm, ...shape, threshold: settings.threshold, expectedItems });
    this.signature = new Uint32Array(settings.numPerm);
  }

  /** Inserted texts so far. */
  get size(): number {
    return this.index.size;
  }

  /** Best stored match ≥ threshold, or null; a text without shingles matches nothing. */
  query(text: string): LshMatch | null {
    return this.hasher.signInto(text, this.signature, 0) ? this.index.query(this.signature, 0) : null;
  }

  /** Stores the text; returns its slot, or -1 for a text without shingles (never stored). */
  insert(text: string): number {
    return this.hasher.signInto(text, this.signature, 0) ? this.index.insert(this.signature, 0) : -1;
  }

  /** Keep-first: the match if `text` near-duplicates a stored text, otherwise stores it and returns null. */
  insertIfNew(text: string): LshMatch | null {
    return this.hasher.signInto(text, this.signature, 0) ? this.index.insertIfNew(this.signature, 0) : null;
  }
}

export interface NearDuplicateResult {
  /** For each text, the index of the earlier kept text it duplicates, or -1 when kept. */
  duplicateOf: Int32Array;
  /** Estimated Jaccard with that text (0 when kept). */
  similarity: Float32Array;
  bands: number;
  rows: number;
}

/** Keep-first near-dedup of a whole list: every dropped text points at a kept one. */
export function findNearDuplicates(texts: readonly string[], settings: NearDuplicateSettings): NearDuplicateResult {
  const finder = new NearDuplicateFinder(settings, texts.length);
  const duplicateOf = new Int32Array(texts.length).fill(-1);
  const similarity = new Float32Array(texts.length);
  const slotToIndex = new Int32Array(texts.length);
  let slots = 0;
  for (let index = 0; index < texts.length; index++) {
    const match = finder.insertIfNew(texts[index]!);
    if (match !== null) {
      duplicateOf[index] = slotToIndex[match.slot]!;
      similarity[index] = match.similarity;
    } else if (finder.size > slots) {
      slotToIndex[slots++] = index;
    }
  }
  return { duplicateOf, similarity, bands: finder.bands, rows: finder.rows };
}
