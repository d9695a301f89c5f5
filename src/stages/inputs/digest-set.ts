import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';

export interface DigestSetOptions {
  /** Digests held in memory (12 bytes a slot at most 70% full) before they are spilled to SQLite. */
  memoryEntries?: number;
  /** The SQLite file a spill goes to; created on the first spill, removed by `close`. */
  spillPath: string;
  /** Bloom filter bits in front of the spilled digests (most lookups of new rows then skip SQLite). */
  bloomBits?: number;
}

const DEFAULT_MEMORY_ENTRIES = 1_450_000; // a 2^21-slot table: 24 MB
const DEFAULT_BLOOM_BITS = 2 ** 27; // 16 MB
const EMPTY = 0;

/**
 * A set of 64-bit digests (each with the line that first had it) in bounded memory: an open-addressing table
 * in typed arrays; when it is full its digests go, sorted, into a SQLite table and it starts again empty.
 * A Bloom filter over the spilled digests keeps SQLite out of the lookup of nearly every new digest.
 */
export class DigestSet {
  private readonly maxEntries: number;
  private slots = 1 << 16;
  private high = new Uint32Array(this.slots);
  private low = new Uint32Array(this.slots);
  private lines = new Uint32Array(this.slots);
  private entries = 0;
  private database: Database.Database | undefined;
  private lookup: Database.Statement<[bigint], { line: number }> | undefined;
  private bloom: Uint8Array | undefined;
  private readonly bloomBits: number;
  /** Digests moved to SQLite so far. */
  spilled = 0;

  constructor(private readonly options: DigestSetOptions) {
    this.maxEntries = Math.max(16, options.memoryEntries ?? DEFAULT_MEMORY_ENTRIES);
    this.bloomBits = options.bloomBits ?? DEFAULT_BLOOM_BITS;
  }

  /** Adds the digest; returns the line that had it first when it was already present (then nothing changes). */
  add(high: number, low: number, line: number): number | undefined {
    if (high === EMPTY && low === EMPTY) low = 1;
    const slot = this.find(high, low);
    if (this.high[slot] !== EMPTY || this.low[slot] !== EMPTY) return this.lines[slot];
    if (this.spilled > 0 && this.maybeSpilled(high, low)) {
      const row = this.lookup!.get(toKey(high, low));
      if (row) return row.line;
    }
    this.high[slot] = high;
    this.low[slot] = low;
    this.lines[slot] = line;
    this.entries++;
    if (this.entries >= this.maxEntries) this.spill();
    else if (this.entries * 10 > this.slots * 7) this.grow();
    return undefined;
  }

  close(): void {
    this.database?.close();
    this.database = undefined;
    rmSync(this.options.spillPath, { force: true });
  }

  private find(high: number, low: number): number {
    const mask = this.slots - 1;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
    while (this.high[slot] !== EMPTY || this.low[slot] !== EMPTY) {
      if (this.high[slot] === high && this.low[slot] === low) return slot;
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const { high, low, lines } = this;
    this.slots *= 2;
    this.high = new Uint32Array(this.slots);
    this.low = new Uint32Array(this.slots);
    this.lines = new Uint32Array(this.slots);
    for (let index = 0; index < high.length; index++) {
      if (high[index] === EMPTY && low[index] === EMPTY) continue;
      const slot = this.find(high[index]!, low[index]!);
      this.high[slot] = high[index]!;
      this.low[slot] = low[index]!;
      this.lines[slot] = lines[index]!;
    }
  }

  private spill(): void {
    if (!this.database) {
      rmSync(this.options.spillPath, { force: true });
      this.database = new Database(this.options.spillPath);
      this.database.pragma('journal_mode = OFF');
      this.database.pragma('synchronous = OFF');
      this.database.exec('CREATE TABLE digests (digest INTEGER PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID');
      this.lookup = this.database.prepare<[bigint], { line: number }>('SELECT line FROM digests WHERE digest = ?');
      this.bloom = new Uint8Array(Math.ceil(this.bloomBits / 8));
    }
    // Sorted keys make SQLite's inserts appends within each page instead of random page writes; the keys sit
    // in a typed array (8 bytes each, off the JS heap) and each line is found again in the table.
    const keys = new BigInt64Array(this.entries);
    let count = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.high[slot] === EMPTY && this.low[slot] === EMPTY) continue;
      keys[count++] = toKey(this.high[slot]!, this.low[slot]!);
      this.markSpilled(this.high[slot]!, this.low[slot]!);
    }
    keys.sort();
    const insert = this.database.prepare('INSERT INTO digests (digest, line) VALUES (?, ?)');
    this.database.transaction(() => {
      for (const key of keys) {
        const unsigned = BigInt.asUintN(64, key);
        const slot = this.find(Number(unsigned >> 32n), Number(unsigned & 0xffffffffn));
        insert.run(key, this.lines[slot]);
      }
    })();
    this.spilled += count;
    this.high.fill(EMPTY);
    this.low.fill(EMPTY);
    this.entries = 0;
  }

  private bloomPositions(high: number, low: number): number[] {
    const bits = this.bloomBits;
    return [low % bits, (low + high) % bits, ((low ^ Math.imul(high, 0x85ebca6b)) >>> 0) % bits];
  }

  private markSpilled(high: number, low: number): void {
    for (const bit of this.bloomPositions(high, low)) this.bloom![bit >>> 3]! |= 1 << (bit & 7);
  }

  private maybeSpilled(high: number, low: number): boolean {
    for (const bit of this.bloomPositions(high, low)) if ((this.bloom![bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    return true;
  }
}

function toKey(high: number, low: number): bigint {
  return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low));
}
