/**
 * Open-addressing hash table from a 32-bit band key to the newest slot holding that key; older
 * slots with the same key are chained through the index's `next` array. Key and slot sit side by
 * side in one Int32Array, so a probe costs one cache miss, and a million-entry band takes ~16 MB
 * with no per-entry allocation (a Map was ~3× slower here).
 */
export class BandTable {
  /** Pairs [key, slot + 1]; slot + 1 so the zero-filled array means "empty". */
  private entries: Int32Array;
  private mask: number;
  private size = 0;

  constructor(expectedEntries: number) {
    let capacity = 16;
    while (capacity < expectedEntries * 2) capacity *= 2;
    this.entries = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** Makes room for one more key, so positions returned by `locate` stay valid until `setAt`. */
  reserve(): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.resize();
  }

  /** Entry position holding `key`, or the empty position where it would go. */
  locate(key: number): number {
    const entries = this.entries;
    let position = spread(key) & this.mask;
    for (;;) {
      const head = entries[position * 2 + 1]!;
      if (head === 0 || entries[position * 2] === key) return position;
      position = (position + 1) & this.mask;
    }
  }

  /** The newest slot at a located position, or -1. */
  slotAt(position: number): number {
    return this.entries[position * 2 + 1]! - 1;
  }

  /** Stores `slot` at a located position and returns the slot it displaces (to chain), or -1. */
  setAt(position: number, key: number, slot: number): number {
    const previous = this.entries[position * 2 + 1]! - 1;
    if (previous < 0) this.size++;
    this.entries[position * 2] = key;
    this.entries[position * 2 + 1] = slot + 1;
    return previous;
  }

  private resize(): void {
    const old = this.entries;
    this.entries = new Int32Array(old.length * 2);
    this.mask = this.entries.length / 2 - 1;
    for (let index = 0; index < old.length; index += 2) {
      if (old[index + 1] === 0) continue;
      let position = spread(old[index]!) & this.mask;
      while (this.entries[position * 2 + 1] !== 0) position = (position + 1) & this.mask;
      this.entries[position * 2] = old[index]!;
      this.entries[position * 2 + 1] = old[index + 1]!;
    }
  }
}

/** Band keys are already hashes, but a cheap re-mix guards linear probing against clustered low bits. */
function spread(key: number): number {
  return Math.imul(key ^ (key >>> 16), 0x45d9f3b);
}
