import { finalizeHash, mixBlock } from './hash32.js';
import { BandTable } from './band-table.js';
import { estimateJaccard } from './minhash.js';

export interface LshIndexOptions {
  numPerm: number;
  bands: number;
  rows: number;
  /** Candidates sharing a band are confirmed only when their estimated Jaccard reaches this. */
  threshold: number;
  expectedItems?: number;
  /**
   * Signatures already held elsewhere (e.g. the workers' shared buffer): the index then records
   * where each stored signature sits instead of copying it, halving memory at a million texts.
   * Every signature passed in must then live in this array.
   */
  externalSignatures?: Uint32Array;
}

export interface LshMatch {
  slot: number;
  similarity: number;
}

/**
 * MinHash LSH index over signatures: each band of `rows` values is hashed to one 32-bit key, so
 * similar signatures collide in at least one band with high probability. Candidates are verified
 * by estimated Jaccard, so a band-key hash collision can cost time but never a wrong answer.
 */
export class LshIndex {
  private signatures: Uint32Array;
  /** Where slot i's signature starts in `signatures`. */
  private signatureOffsets: Int32Array;
  private next: Int32Array;
  private visited: Int32Array;
  private readonly tables: BandTable[];
  private readonly bandKeys: Int32Array;
  /** Where each band key of the current signature sits in its table (valid until the next store). */
  private readonly positions: Int32Array;
  private queryStamp = 0;
  size = 0;

  constructor(private readonly options: LshIndexOptions) {
    if (options.bands * options.rows > options.numPerm) {
      throw new RangeError(`bands × rows (${options.bands}×${options.rows}) exceeds num_perm ${options.numPerm}`);
    }
    const capacity = Math.max(16, options.expectedItems ?? 1024);
    this.signatures = options.externalSignatures ?? new Uint32Array(capacity * options.numPerm);
    this.signatureOffsets = new Int32Array(capacity);
    this.next = new Int32Array(capacity * options.bands);
    this.visited = new Int32Array(capacity);
    this.tables = Array.from({ length: options.bands }, () => new BandTable(capacity));
    this.bandKeys = new Int32Array(options.bands);
    this.positions = new Int32Array(options.bands);
  }

  /** The stored signature with the highest estimated similarity ≥ threshold, or null. */
  query(signature: Uint32Array, offset: number): LshMatch | null {
    this.computeBandKeys(signature, offset);
    return this.bestCandidate(signature, offset);
  }

  /** Stores a signature and returns its slot (slots count up from 0 in insertion order). */
  insert(signature: Uint32Array, offset: number): number {
    this.computeBandKeys(signature, offset);
    return this.store(signature, offset);
  }

  /** Keep-first dedup in one pass: the best match if there is one, otherwise store and return null. */
  insertIfNew(signature: Uint32Array, offset: number): LshMatch | null {
    this.computeBandKeys(signature, offset);
    const match = this.bestCandidate(signature, offset);
    if (match === null) this.store(signature, offset);
    return match;
  }

  /** Hashes each band and locates it in its table, making room first so the positions stay valid. */
  private computeBandKeys(signature: Uint32Array, offset: number): void {
    const { bands, rows } = this.options;
    for (let band = 0; band < bands; band++) {
      let h = band;
      const start = offset + band * rows;
      for (let row = 0; row < rows; row++) h = mixBlock(h, signature[start + row]!);
      const key = finalizeHash(h, rows * 4) | 0;
      const table = this.tables[band]!;
      table.reserve();
      this.bandKeys[band] = key;
      this.positions[band] = table.locate(key);
    }
  }

  private bestCandidate(signature: Uint32Array, offset: number): LshMatch | null {
    const { bands, numPerm, threshold } = this.options;
    const stamp = ++this.queryStamp;
    let best: LshMatch | null = null;
    for (let band = 0; band < bands; band++) {
      let slot = this.tables[band]!.slotAt(this.positions[band]!);
      while (slot >= 0) {
        if (this.visited[slot] !== stamp) {
          this.visited[slot] = stamp;
          const similarity = estimateJaccard(signature, offset, this.signatures, this.signatureOffsets[slot]!, numPerm);
          if (similarity >= threshold && (best === null || similarity > best.similarity)) best = { slot, similarity };
        }
        slot = this.next[slot * bands + band]!;
      }
    }
    return best;
  }

  private store(signature: Uint32Array, offset: number): number {
    const { bands, numPerm } = this.options;
    const slot = this.size++;
    if (slot === this.visited.length) this.grow();
    if (this.options.externalSignatures !== undefined) {
      if (signature !== this.options.externalSignatures) throw new RangeError('signature is not in the external signature array');
      this.signatureOffsets[slot] = offset;
    } else {
      const base = slot * numPerm;
      for (let index = 0; index < numPerm; index++) this.signatures[base + index] = signature[offset + index]!;
      this.signatureOffsets[slot] = base;
    }
    for (let band = 0; band < bands; band++) {
      this.next[slot * bands + band] = this.tables[band]!.setAt(this.positions[band]!, this.bandKeys[band]!, slot);
    }
    return slot;
  }

  private grow(): void {
    const capacity = this.visited.length * 2;
    if (this.options.externalSignatures === undefined) this.signatures = growTo(this.signatures, capacity * this.options.numPerm);
    this.signatureOffsets = growTo(this.signatureOffsets, capacity);
    this.next = growTo(this.next, capacity * this.options.bands);
    this.visited = growTo(this.visited, capacity);
  }
}

function growTo<T extends Uint32Array | Int32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
