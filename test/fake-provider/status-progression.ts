/**
 * Poll-driven status progression: a resource walks through `statuses`, each status being reported by
 * `pollsPerStatus` responses (the one that entered it included). The creation response counts for the
 * first status; every GET of the resource by id is one poll. The last status is terminal.
 */
export type PollsPerStatus = number | Readonly<Record<string, number>>;

export class StatusProgression<S extends string> {
  private queue: S[];
  private remaining: number;

  constructor(
    statuses: readonly S[],
    private readonly pollsPerStatus: PollsPerStatus,
  ) {
    this.queue = [];
    this.remaining = 0;
    this.redirect(statuses);
  }

  get status(): S {
    return this.queue[0] as S;
  }

  get isTerminal(): boolean {
    return this.queue.length === 1;
  }

  /** One poll. Returns the statuses entered by it, in order (usually none or one). */
  poll(): S[] {
    const entered: S[] = [];
    if (this.isTerminal) return entered;
    this.remaining -= 1;
    while (this.remaining <= 0 && !this.isTerminal) {
      this.queue.shift();
      entered.push(this.status);
      this.remaining = this.durationOf(this.status);
    }
    return entered;
  }

  /** Replace the road ahead (cancellation, failure); the first status is entered at once and returned. */
  redirect(statuses: readonly S[]): S[] {
    if (statuses.length === 0) throw new Error('a status progression needs at least one status');
    this.queue = [...statuses];
    this.remaining = this.durationOf(this.status);
    return [this.status];
  }

  private durationOf(status: S): number {
    if (typeof this.pollsPerStatus === 'number') return Math.max(1, this.pollsPerStatus);
    return Math.max(1, this.pollsPerStatus[status] ?? 1);
  }
}
