import type { SqliteDatabase } from './database.js';

/**
 * Groups small writes into one transaction every few milliseconds. One commit per answer costs more CPU
 * than the HTTP call itself at 256 requests in flight; a grouped commit costs almost nothing. A hard kill
 * loses at most the last `delayMs` of writes, the same as requests that were still in flight.
 */
export class WriteQueue {
  private readonly pending: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly delayMs = 20,
    private readonly maxPending = 2000,
  ) {}

  push(write: () => void): void {
    this.pending.push(write);
    if (this.pending.length >= this.maxPending) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || !this.database.open) return;
    const writes = this.pending.splice(0);
    this.database.transaction(() => {
      for (const write of writes) write();
    })();
  }
}

const queues = new WeakMap<SqliteDatabase, WriteQueue>();

/** The one write queue of a database connection (so cache and ledger writes share a commit). */
export function writeQueueOf(database: SqliteDatabase): WriteQueue {
  let queue = queues.get(database);
  if (!queue) {
    queue = new WriteQueue(database);
    queues.set(database, queue);
  }
  return queue;
}
