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
  private keys: Set<string> | undefined;
  private readonly queue: WriteQueue;
  /** Answers written but not committed yet; reads see them. */
  private readonly unwritten = new Map<string, unknown>();

  constructor(database: SqliteDatabase) {
    this.queue = writeQueueOf(database);
    this.select = database.prepare<[string], { response: string }>('SELECT response FROM response_cache WHERE key = ?');
    this.selectKeys = database.prepare<[], string>('SELECT key FROM response_cache');
    this.upsert = database.prepare(
      'INSERT OR REPLACE INTO response_cache (key, model, response, created_at) VALUES (?, ?, ?, ?)',
    );
  }

  get(key: string): unknown {
    if (this.unwritten.has(key)) return this.unwritten.get(key);
    // Most lookups of a fresh run miss; a Set of the stored keys answers those without a query.
    this.keys ??= new Set(this.selectKeys.pluck().all());
    if (!this.keys.has(key)) return undefined;
    const row = this.select.get(key);
    return row === undefined ? undefined : (JSON.parse(row.response) as unknown);
  }

  set(key: string, model: string, response: unknown): void {
    this.unwritten.set(key, response);
    this.keys?.add(key);
    const text = JSON.stringify(response);
    const at = new Date().toISOString();
    this.queue.push(() => {
      this.upsert.run(key, model, text, at);
      this.unwritten.delete(key);
    });
  }
}

export class MemoryResponseCache implements ResponseCache {
  private readonly entries = new Map<string, unknown>();
  get(key: string): unknown {
    return this.entries.get(key);
  }
  set(key: string, _model: string, response: unknown): void {
    this.entries.set(key, response);
  }
}
