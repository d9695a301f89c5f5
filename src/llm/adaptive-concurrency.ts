/**
 * A semaphore whose limit adapts (AIMD): a burst of 429s halves it, and it grows back by one after a full
 * window of successes, but never to the limit that last failed. 429s within `burstWindowMs` of a cut are
 * the same burst: requests already in flight when the cut happened must not cut it again.
 */
export class AdaptiveConcurrency {
  private currentLimit: number;
  private ceiling: number;
  private inFlight = 0;
  private successesSinceChange = 0;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private readonly waiters: (() => void)[] = [];
  private readonly maximum: number;
  private readonly burstWindowMs: number;
  private readonly now: () => number;

  constructor(options: { limit: number; burstWindowMs?: number; now?: () => number; onChange?: (limit: number) => void }) {
    this.maximum = Math.max(1, options.limit);
    this.currentLimit = this.maximum;
    this.ceiling = this.maximum;
    this.burstWindowMs = options.burstWindowMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange;
  }

  private readonly onChange: ((limit: number) => void) | undefined;

  get limit(): number {
    return this.currentLimit;
  }

  get active(): number {
    return this.inFlight;
  }

  async acquire(): Promise<() => void> {
    const slot = this.tryAcquire();
    if (slot !== undefined) return slot;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.releaser();
  }

  /** A slot now, or undefined when all are taken (the hot path skips a promise when a slot is free). */
  tryAcquire(): (() => void) | undefined {
    if (this.inFlight >= this.currentLimit || this.waiters.length > 0) return undefined;
    this.inFlight++;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.wake();
    };
  }

  onSuccess(): void {
    this.successesSinceChange++;
    if (this.successesSinceChange >= this.currentLimit && this.currentLimit < this.ceiling) {
      this.setLimit(this.currentLimit + 1);
    }
  }

  onRateLimited(): void {
    const now = this.now();
    if (now - this.lastCutAt < this.burstWindowMs) return;
    this.lastCutAt = now;
    // The limit that failed is off limits from now on; grow back to one below it at most.
    this.ceiling = Math.max(1, this.currentLimit - 1);
    this.setLimit(Math.max(1, Math.floor(this.currentLimit / 2)));
  }

  private setLimit(limit: number): void {
    this.successesSinceChange = 0;
    if (limit === this.currentLimit) return;
    this.currentLimit = limit;
    this.onChange?.(limit);
    this.wake();
  }

  private wake(): void {
    while (this.inFlight < this.currentLimit && this.waiters.length > 0) {
      this.inFlight++;
      this.waiters.shift()!();
    }
  }
}
