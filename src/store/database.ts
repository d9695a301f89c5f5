import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

/**
 * Schema migrations, applied in order and recorded in `PRAGMA user_version`. Append only: a released
 * migration is never edited, so an old run directory opens with a newer Distillery.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE stages (
     name TEXT PRIMARY KEY,
     state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'stale')),
     config_hash TEXT NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     figures TEXT NOT NULL DEFAULT '{}',
     error TEXT
   );
   CREATE TABLE response_cache (
     key TEXT PRIMARY KEY,
     model TEXT NOT NULL,
     response TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE batches (
     id TEXT PRIMARY KEY,
     stage TEXT NOT NULL,
     round INTEGER NOT NULL,
     status TEXT NOT NULL,
     request_ids TEXT NOT NULL,
     input_file_id TEXT NOT NULL,
     collected INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE ledger (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     stage TEXT NOT NULL,
     purpose TEXT NOT NULL,
     model TEXT NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     cost REAL NOT NULL,
     at TEXT NOT NULL
   );
   CREATE INDEX ledger_stage ON ledger(stage);
   CREATE TABLE jobs (
     stage TEXT PRIMARY KEY,
     job_id TEXT NOT NULL,
     detail TEXT NOT NULL DEFAULT '{}',
     updated_at TEXT NOT NULL
   );`,
  // 2: the gateway's request log (distillery serve / capture).
  `CREATE TABLE served_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    completion_id TEXT NOT NULL,
    at TEXT NOT NULL,
    model TEXT NOT NULL,
    stream INTEGER NOT NULL,
    input TEXT NOT NULL,
    student_output TEXT,
    final_output TEXT,
    served_by TEXT CHECK (served_by IN ('student', 'fallback')),
    fallback_reason TEXT,
    fallback_detail TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'cancelled')),
    error TEXT,
    latency_ms REAL NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL
  );
  CREATE INDEX served_requests_at ON served_requests(at);`,
  // 3: a ledger row sums the requests of one commit (one row per request cost more than the request).
  `ALTER TABLE ledger ADD COLUMN requests INTEGER NOT NULL DEFAULT 1;`,
  // 4: batches tied to the requests they were made for. A row exists before the create is sent (so a lost
  // create answer is found again by its metadata); request_keys maps custom_id → request hash.
  `CREATE TABLE batch_submissions (
    submission TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    round INTEGER NOT NULL,
    request_hash TEXT NOT NULL,
    request_keys TEXT NOT NULL,
    input_file_id TEXT,
    batch_id TEXT,
    status TEXT NOT NULL,
    errors TEXT,
    collected INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX batch_submissions_stage ON batch_submissions(stage, collected);
  -- Batches of an older version carry no request hashes: an open one cannot be shown to match the config,
  -- so the next run cancels it (empty request_keys) rather than trust its answers.
  INSERT INTO batch_submissions (submission, stage, round, request_hash, request_keys, input_file_id, batch_id, status, collected, created_at, updated_at)
    SELECT 'legacy-' || id, stage, round, '', '{}', input_file_id, id, status, collected, created_at, updated_at FROM batches;`,
];

export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  // WAL: readers (status, dashboard) never block the writer; NORMAL sync is crash-safe in WAL mode.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB: at thousands of cached answers a
  // second the default checkpoints cost more than the inserts (bench/generate-throughput.ts).
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma('busy_timeout = 5000');
  migrate(database);
  return database;
}

function migrate(database: SqliteDatabase): void {
  const version = database.pragma('user_version', { simple: true }) as number;
  for (let index = version; index < MIGRATIONS.length; index++) {
    database.transaction(() => {
      database.exec(MIGRATIONS[index]!);
      database.pragma(`user_version = ${index + 1}`);
    })();
  }
}
