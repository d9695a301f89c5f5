import type { SqliteDatabase } from './database.js';

/** Content-addressed responses: the key is a hash of endpoint, model, messages and parameters. */
export interface ResponseCache {
  get(key: string): unknown;
  set(key: string, model: string, response: unknown): void;
}

export class SqliteResponseCache implements ResponseCache {
  private readonly select;
  private readonly upsert;

  constructor(database: SqliteDatabase) {
    this.select = database.prepare<[string], { response: string }>('SELECT response FROM response_cache WHERE key = ?');
    this.upsert = database.prepare(
      'INSERT OR REPLACE INTO response_cache (key, model, response, created_at) VALUES (?, ?, ?, ?)',
    );
  }

  get(key: string): unknown {
    const row = this.select.get(key);
    return row === undefined ? undefined : (JSON.parse(row.response) as unknown);
  }

  set(key: string, model: string, response: unknown): void {
    this.upsert.run(key, model, JSON.stringify(response), new Date().toISOString());
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
