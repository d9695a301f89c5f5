import type { SqliteDatabase } from './database.js';

/**
 * Groups small writes into one transaction every few milliseconds. One commit per answer costs more CPU
 * than the HTTP call itself at 256 requests in flight; a grouped commit costs almost nothing. A hard kill
 * loses at most the last `delayMs` of writes, the same as requests that were still in flight.
 *
 * Writers keep their own buffers (cached answers, ledger sums) and are scheduled by identity: however many
 * items a writer gathered, it runs once per commit. A commit that fails leaves the buffers as they were,
 * and the writer's next schedule retries them.
 */
export class WriteQueue {
  private readonly writers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  /** Callers of `committed()` waiting for the next commit. */
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  /** Whether the pending commit was brought forward for a waiter. */
  private hurried = false;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly delayMs = 20,
  ) {}

  schedule(writer: () => void): void {
    this.writers.add(writer);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.hurried = false;
    const waiting = this.waiting;
    this.waiting = [];
    try {
      if (this.writers.size > 0 && this.database.open) {
        const writers = [...this.writers];
        this.writers.clear();
        this.database.transaction(() => {
          for (const write of writers) write();
        })();
      }
    } catch (error) {
      for (const waiter of waiting) waiter.reject(error);
      throw error;
    }
    for (const waiter of waiting) waiter.resolve();
  }

  /**
   * Resolves once everything written so far is committed (with the next grouped commit, not one commit
   * per caller). Generation awaits it before counting an answer, so a kill -9 can only lose answers whose
   * requests were still counted as in flight.
   */
  committed(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // Someone waits: commit once the answers that arrived in this turn of the event loop are in, rather
      // than after `delayMs` (they still share one commit).
      if (!this.hurried) {
        this.hurried = true;
        setImmediate(() => {
          if (this.hurried) this.flush();
        });
      }
    });
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
