import type { SqliteDatabase } from './database.js';
import { writeQueueOf, type WriteQueue } from './write-queue.js';

/** Content-addressed responses: the key is a hash of endpoint, model, messages and parameters. */
export interface ResponseCache {
  get(key: string): unknown;
  set(key: string, model: string, response: unknown): void;
}

export class SqliteResponseCache implements ResponseCache {
  private readonly select;
  private readonly upsert;
  private readonly selectKeys;
  /** A 52-bit prefix of each stored key (keys are hex hashes): 30 bytes a key instead of 100. */
  private keys: Set<number> | undefined;
  private readonly queue: WriteQueue;
  /** Answers written but not committed yet; reads see them. */
  private readonly unwritten = new Map<string, { model: string; response: unknown; text: string }>();

  constructor(database: SqliteDatabase) {
    this.queue = writeQueueOf(database);
    this.select = database.prepare<[string], { response: string }>('SELECT response FROM response_cache WHERE key = ?');
    this.selectKeys = database.prepare<[], string>('SELECT key FROM response_cache');
    this.upsert = database.prepare(
      'INSERT OR REPLACE INTO response_cache (key, model, response, created_at) VALUES (?, ?, ?, ?)',
    );
  }

  get(key: string): unknown {
    const unwritten = this.unwritten.get(key);
    if (unwritten !== undefined) return unwritten.response;
    // Most lookups of a fresh run miss; a set of the stored keys' prefixes answers those without a query
    // (a prefix shared by chance only costs the query).
    this.keys ??= new Set(this.selectKeys.pluck().all().map(keyPrefix));
    if (!this.keys.has(keyPrefix(key))) return undefined;
    const row = this.select.get(key);
    return row === undefined ? undefined : (JSON.parse(row.response) as unknown);
  }

  set(key: string, model: string, response: unknown): void {
    // Serialized here, so a value that cannot be stored fails its caller, not a later commit of others.
    const text = JSON.stringify(response);
    // One write per commit inserts every answer that arrived since the last one.
    this.queue.schedule(this.write);
    this.unwritten.set(key, { model, response, text });
    this.keys?.add(keyPrefix(key));
    // A burst (a batch's whole output file) commits every 2,000 answers, not in one long transaction.
    if (this.unwritten.size >= 2000) this.queue.flush();
  }

  private readonly write = (): void => {
    const at = new Date().toISOString();
    for (const [key, entry] of this.unwritten) this.upsert.run(key, entry.model, entry.text, at);
    this.unwritten.clear();
  };
}

/** Keys are sha256 hex. Any other key still works: a shared prefix (or NaN) only costs the query. */
function keyPrefix(key: string): number {
  return Number.parseInt(key.slice(0, 13), 16);
}
