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
    /** Signing threads beside the main one; default: one per spare core. */
    workers: z.number().int().nonnegative().optional(),
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
  /** Worker threads that computed signatures; 0 when this thread did. */
  workers: number;
}

/**
 * Keep-first dedup over signatures fed in text order (by this thread or by workers): each text is
 * either a near-duplicate of an earlier kept text, or kept and indexed.
 */
export class KeepFirstDedup {
  readonly duplicateOf: Int32Array;
  readonly similarity: Float32Array;
  private readonly index: LshIndex;
  private readonly slotToText: Int32Array;
  private readonly shape: { bands: number; rows: number };

  /** `externalSignatures`: all texts' signatures, already computed (see LshIndexOptions). */
  constructor(settings: NearDuplicateSettings, count: number, externalSignatures?: Uint32Array) {
    this.shape = lshShape(settings);
    this.index = new LshIndex({ numPerm: settings.numPerm, ...this.shape, threshold: settings.threshold, expectedItems: count, externalSignatures });
    this.duplicateOf = new Int32Array(count).fill(-1);
    this.similarity = new Float32Array(count);
    this.slotToText = new Int32Array(count);
  }

  /** Text `text`'s signature sits at `signatures[offset…]`; pass `hasShingles: false` for an empty text (kept, not indexed). */
  accept(text: number, signatures: Uint32Array, offset: number, hasShingles: boolean): void {
    if (!hasShingles) return;
    const match = this.index.insertIfNew(signatures, offset);
    if (match === null) {
      this.slotToText[this.index.size - 1] = text;
      return;
    }
    this.duplicateOf[text] = this.slotToText[match.slot]!;
    this.similarity[text] = match.similarity;
  }

  result(): NearDuplicateResult {
    return { duplicateOf: this.duplicateOf, similarity: this.similarity, ...this.shape, workers: 0 };
  }
}

/** Keep-first near-dedup of a whole list in this thread: every dropped text points at a kept one. */
export function findNearDuplicates(texts: readonly string[], settings: NearDuplicateSettings): NearDuplicateResult {
  const hasher = new MinHasher({ numPerm: settings.numPerm, shingle: settings.shingle, size: settings.size, seed: settings.seed });
  const dedup = new KeepFirstDedup(settings, texts.length);
  const signature = new Uint32Array(settings.numPerm);
  for (let index = 0; index < texts.length; index++) {
    dedup.accept(index, signature, 0, hasher.signInto(texts[index]!, signature, 0));
  }
  return dedup.result();
}
