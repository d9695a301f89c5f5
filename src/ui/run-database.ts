import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { SqliteDatabase } from '../store/database.js';

/**
 * The run's SQLite file opened read-only, for one request: the dashboard never writes, never migrates, and
 * never holds the file between requests (the run keeps writing to it).
 */
export function withRunDatabase<T>(path: string, read: (database: SqliteDatabase) => T, absent: T): T {
  if (!existsSync(path)) return absent;
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    database.pragma('busy_timeout = 2000');
    return read(database);
  } finally {
    database.close();
  }
}

export function hasTable(database: SqliteDatabase, table: string): boolean {
  return database.prepare<[string], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}
