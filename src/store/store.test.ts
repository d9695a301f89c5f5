import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';
import { openDatabase } from './database.js';
import { SqliteResponseCache } from './response-cache.js';
import { RunState } from './run-state.js';

const temp = useTempDir();

describe('the cost ledger', () => {
  it('sums the charges of a commit into one row per stage, purpose and model, and reports every request', () => {
    const database = openDatabase(join(temp.path(), 'state.sqlite'));
    const state = new RunState(database);
    for (let index = 0; index < 1000; index++) {
      state.record({ stage: 'generate', purpose: 'teacher', model: 'big', promptTokens: 10, completionTokens: 5, cost: 0.001 });
    }
    state.record({ stage: 'curate', purpose: 'judge', model: 'judge', promptTokens: 7, completionTokens: 1, cost: 0.5 });
    expect(state.spent('generate')).toBeCloseTo(1, 9);
    // Later charges go to a new row of the next commit; the totals run on.
    state.record({ stage: 'generate', purpose: 'teacher', model: 'big', promptTokens: 1, completionTokens: 1, cost: 0.25 });
    expect(state.ledger()).toEqual([
      { stage: 'generate', purpose: 'teacher', model: 'big', requests: 1001, promptTokens: 10_001, completionTokens: 5001, cost: expect.closeTo(1.25, 9) },
      { stage: 'curate', purpose: 'judge', model: 'judge', requests: 1, promptTokens: 7, completionTokens: 1, cost: 0.5 },
    ]);
    expect(database.prepare('SELECT COUNT(*) AS rows FROM ledger').get()).toEqual({ rows: 3 });
    database.close();
  });

  it('opens a run made before ledger rows were summed: its rows count one request each', () => {
    const path = join(temp.path(), 'state.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, stage TEXT NOT NULL, purpose TEXT NOT NULL, model TEXT NOT NULL,
      prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, cost REAL NOT NULL, at TEXT NOT NULL)`);
    old.prepare("INSERT INTO ledger (stage, purpose, model, prompt_tokens, completion_tokens, cost, at) VALUES ('generate', 'teacher', 'big', 3, 2, 0.1, 'then')").run();
    old.prepare("INSERT INTO ledger (stage, purpose, model, prompt_tokens, completion_tokens, cost, at) VALUES ('generate', 'teacher', 'big', 3, 2, 0.1, 'then')").run();
    // The state of a version-2 database, without the tables this test does not need.
    old.exec(`CREATE TABLE served_requests (id INTEGER PRIMARY KEY);
      CREATE TABLE batches (id TEXT, stage TEXT, round INTEGER, status TEXT, request_ids TEXT, input_file_id TEXT, collected INTEGER, created_at TEXT, updated_at TEXT);
      PRAGMA user_version = 2;`);
    old.close();
    const database = openDatabase(path);
    const state = new RunState(database);
    state.record({ stage: 'generate', purpose: 'teacher', model: 'big', promptTokens: 4, completionTokens: 1, cost: 0.3 });
    expect(state.ledger()).toEqual([{ stage: 'generate', purpose: 'teacher', model: 'big', requests: 3, promptTokens: 10, completionTokens: 5, cost: expect.closeTo(0.5, 9) }]);
    expect(database.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(3); // and every later migration
    database.close();
  });
});

describe('the response cache', () => {
  it('answers from memory before the commit, from SQLite after, and across a reopen', () => {
    const path = join(temp.path(), 'state.sqlite');
    const key = 'a'.repeat(64);
    let database = openDatabase(path);
    let cache = new SqliteResponseCache(database);
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, 'm', { content: 'hello' });
    expect(cache.get(key)).toEqual({ content: 'hello' });
    new RunState(database).flush();
    expect(cache.get(key)).toEqual({ content: 'hello' });
    database.close();
    database = openDatabase(path);
    cache = new SqliteResponseCache(database);
    expect(cache.get(key)).toEqual({ content: 'hello' });
    database.close();
  });

  it('retries the answers of a failed commit with the next one, and refuses a value it cannot store at once', () => {
    const database = openDatabase(join(temp.path(), 'state.sqlite'));
    const state = new RunState(database);
    const cache = new SqliteResponseCache(database);
    expect(() => cache.set('b'.repeat(64), 'm', { size: 1n })).toThrow();
    database.exec("CREATE TRIGGER refuse BEFORE INSERT ON response_cache BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    cache.set('c'.repeat(64), 'm', 'first');
    expect(() => state.flush()).toThrow('disk full');
    database.exec('DROP TRIGGER refuse');
    cache.set('d'.repeat(64), 'm', 'second');
    state.flush();
    const stored = database.prepare('SELECT key FROM response_cache ORDER BY key').pluck().all();
    expect(stored).toEqual(['c'.repeat(64), 'd'.repeat(64)]);
    // The ledger likewise: a charge after a failed commit carries the earlier sum with it.
    database.exec("CREATE TRIGGER refuse_ledger BEFORE INSERT ON ledger BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    state.record({ stage: 'generate', purpose: 'teacher', model: 'm', promptTokens: 1, completionTokens: 1, cost: 0.5 });
    expect(() => state.flush()).toThrow('disk full');
    database.exec('DROP TRIGGER refuse_ledger');
    state.record({ stage: 'generate', purpose: 'teacher', model: 'm', promptTokens: 2, completionTokens: 1, cost: 0.25 });
    expect(state.ledger()).toEqual([{ stage: 'generate', purpose: 'teacher', model: 'm', requests: 2, promptTokens: 3, completionTokens: 2, cost: 0.75 }]);
    database.close();
  });

  it('tells apart keys that share the prefix its miss filter remembers, and keys that are not hex', () => {
    const database = openDatabase(join(temp.path(), 'state.sqlite'));
    const state = new RunState(database);
    const first = `${'0123456789abc'}${'0'.repeat(51)}`;
    const twin = `${'0123456789abc'}${'f'.repeat(51)}`;
    let cache = new SqliteResponseCache(database);
    cache.set(first, 'm', 1);
    cache.set('not a hash', 'm', 2);
    state.flush();
    cache = new SqliteResponseCache(database); // a fresh filter, loaded from SQLite
    expect(cache.get(first)).toBe(1);
    expect(cache.get(twin)).toBeUndefined();
    expect(cache.get('not a hash')).toBe(2);
    expect(cache.get('not a hash either')).toBeUndefined();
    database.close();
  });
});

describe('durable answers', () => {
  it('committed() resolves only once what was written before it is in SQLite, for many callers with one commit', async () => {
    const path = join(temp.path(), 'durable.sqlite');
    const database = openDatabase(path);
    const cache = new SqliteResponseCache(database);
    const state = new RunState(database);
    cache.set('a'.repeat(64), 'm', { answer: 1 });
    const reader = new Database(path, { readonly: true });
    const stored = () => reader.prepare('SELECT COUNT(*) AS n FROM response_cache').get() as { n: number };
    expect(stored().n).toBe(0); // queued, not committed yet
    cache.set('b'.repeat(64), 'm', { answer: 2 });
    await Promise.all([state.committed(), state.committed()]);
    expect(stored().n).toBe(2);
    reader.close();
    database.close();
  });
});

describe('batch submissions', () => {
  it('an open batch of a version-3 run is carried over without request hashes (so it is cancelled, never trusted)', () => {
    const path = join(temp.path(), 'v3.sqlite');
    openDatabase(path).close();
    const old = new Database(path);
    old.exec(`DELETE FROM batch_submissions; PRAGMA user_version = 3;`);
    old.exec(`DROP TABLE batch_submissions;`);
    old.prepare(`INSERT INTO batches (id, stage, round, status, request_ids, input_file_id, collected, created_at, updated_at) VALUES ('batch_1', 'generate', 1, 'in_progress', '["a"]', 'file-1', 0, 'then', 'then')`).run();
    old.close();
    const state = new RunState(openDatabase(path));
    expect(state.openSubmissions('generate')).toEqual([
      expect.objectContaining({ submission: 'legacy-batch_1', batchId: 'batch_1', requestKeys: {}, status: 'in_progress', collected: false }),
    ]);
    state.database.close();
  });
});
