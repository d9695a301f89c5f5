/**
 * A semaphore whose limit adapts to what the provider tolerates, and recovers:
 * - A 429 burst cuts the limit. A burst is a share of 429s among recent outcomes (default ≥ 10%, at least
 *   3), so the occasional 429 a busy provider sends at random does not cut anything, while a provider that
 *   refuses requests above its own concurrency cap (every excess slot fails at once, over and over) is seen
 *   at once. Only requests sent under the current limit count: those in flight when it was cut say nothing
 *   about the new one.
 * - The cut: back to the highest limit that has carried a full window of successes (we probed too far),
 *   or to half the limit when that one fails too (the provider got tighter). The limit that failed becomes
 *   the ceiling.
 * - Recovery: one more slot after each window of successes (a window = `limit` successes) up to the ceiling;
 *   after `probeAfterWindows` windows at the ceiling, the ceiling itself rises by one and is tried again, so
 *   a ceiling set by a passing burst decays back to the configured maximum.
 */
export class AdaptiveConcurrency {
  private currentLimit: number;
  private ceiling: number;
  /** The highest limit that carried a full window of successes since the last tightening; 0: none yet. */
  private knownGood = 0;
  private inFlight = 0;
  private successesSinceChange = 0;
  private windowsAtCeiling = 0;
  private generation = 0;
  /** Recent outcomes of requests sent under the current limit: true = 429. */
  private readonly outcomes: boolean[] = [];
  private rateLimitedInWindow = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly maximum: number;
  private readonly windowSize: number;
  private readonly burstShare: number;
  private readonly burstMinimum: number;
  private readonly probeAfterWindows: number;
  private readonly onChange: ((limit: number) => void) | undefined;

  constructor(options: {
    limit: number;
    /** Outcomes looked at to tell a burst from a stray 429 (default 2 × limit, 20 to 200). */
    window?: number;
    burstShare?: number;
    burstMinimum?: number;
    probeAfterWindows?: number;
    onChange?: (limit: number) => void;
  }) {
    this.maximum = Math.max(1, options.limit);
    this.currentLimit = this.maximum;
    this.ceiling = this.maximum;
    this.windowSize = options.window ?? Math.min(200, Math.max(20, 2 * this.maximum));
    this.burstShare = options.burstShare ?? 0.1;
    this.burstMinimum = options.burstMinimum ?? 3;
    this.probeAfterWindows = options.probeAfterWindows ?? 8;
    this.onChange = options.onChange;
  }

  get limit(): number {
    return this.currentLimit;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Changes with every cut; a request remembers it when sent, and its 429 counts only if it still matches. */
  get epoch(): number {
    return this.generation;
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

  onSuccess(epoch = this.generation): void {
    if (epoch === this.generation) this.record(false);
    if (++this.successesSinceChange < this.currentLimit) return;
    // A full window of successes at this limit.
    this.successesSinceChange = 0;
    this.knownGood = Math.max(this.knownGood, this.currentLimit);
    if (this.currentLimit < this.ceiling) {
      this.setLimit(this.currentLimit + 1);
    } else if (this.ceiling < this.maximum && ++this.windowsAtCeiling >= this.probeAfterWindows) {
      this.ceiling++;
      this.setLimit(this.currentLimit + 1);
    }
  }

  /** A 429 from a request sent at `epoch` (default: now). */
  onRateLimited(epoch = this.generation): void {
    if (epoch !== this.generation) return;
    this.record(true);
    const seen = this.outcomes.length;
    if (this.rateLimitedInWindow < this.burstMinimum || this.rateLimitedInWindow < this.burstShare * seen) return;
    const failed = this.currentLimit;
    let next: number;
    if (this.knownGood > 0 && this.knownGood < failed) {
      next = this.knownGood;
    } else {
      next = Math.max(1, Math.floor(failed / 2));
      this.knownGood = 0;
    }
    this.ceiling = Math.max(1, failed - 1);
    this.generation++;
    this.outcomes.length = 0;
    this.rateLimitedInWindow = 0;
    this.windowsAtCeiling = 0;
    this.setLimit(Math.min(next, this.ceiling));
  }

  private record(rateLimited: boolean): void {
    this.outcomes.push(rateLimited);
    if (rateLimited) this.rateLimitedInWindow++;
    if (this.outcomes.length > this.windowSize && this.outcomes.shift() === true) this.rateLimitedInWindow--;
  }

  private setLimit(limit: number): void {
    this.successesSinceChange = 0;
    if (limit === this.currentLimit) return;
    if (limit < this.currentLimit || limit > this.ceiling) this.windowsAtCeiling = 0;
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
