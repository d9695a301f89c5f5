import { BudgetExceededError, ConfigError } from '../../errors.js';
import type { ChatMessage } from '../../llm/protocol.js';
import { costOf, type Price } from '../../llm/pricing.js';
import type { RunState } from '../../store/run-state.js';

/** A request's worst case, held against the budget from before it is sent until its answer is charged. */
export interface Reservation {
  release(): void;
}

const NO_RESERVATION: Reservation = { release: () => undefined };

/**
 * The money side of generation. Every answer's tokens go to the ledger (failed attempts' too). With
 * `max_cost`, each request first reserves its worst case (prompt tokens + max_tokens at the price in force);
 * spent + reserved never passes the limit, and the first request that does not fit, once nothing else is
 * in flight, stops submitting for good. Spending from earlier attempts of the run counts.
 */
export class Budget {
  private spentSoFar: number;
  private reserved = 0;
  /** Reservations held: counted, not inferred from `reserved` (a float sum never quite returns to 0). */
  private held = 0;
  private stopped = false;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly state: RunState,
    private readonly stage: string,
    private readonly purpose: string,
    private readonly model: string,
    private readonly price: Price | undefined,
    readonly limit: number | undefined,
  ) {
    this.spentSoFar = state.spent(stage);
  }

  /** `max_cost` without a price cannot be enforced: a config error, never a silent $0. */
  static check(limit: number | undefined, price: Price | undefined, model: string, file: string): void {
    if (limit !== undefined && price === undefined) {
      throw new ConfigError(`${file}: teacher.max_cost is set but prices: has no entry for '${model}', so spending cannot be counted; add its price`, file, 'teacher.max_cost');
    }
  }

  get spent(): number {
    return this.spentSoFar;
  }

  /** True once a request did not fit: nothing more is submitted. */
  get exhausted(): boolean {
    return this.stopped || (this.limit !== undefined && this.spentSoFar >= this.limit);
  }

  /**
   * The most a request can cost (`batch`: at the batch price). Prompt tokens are bounded by the prompt's UTF-8 bytes (a byte-level BPE
   * token is at least one byte) plus 8 tokens a message for the chat template; the answer by max_tokens.
   */
  worstCase(messages: readonly ChatMessage[], maxTokens: number, batch: boolean): number {
    let promptTokens = 8;
    for (const message of messages) promptTokens += Buffer.byteLength(message.content) + 8;
    return costOf({ prompt_tokens: promptTokens, completion_tokens: maxTokens }, this.price, batch);
  }

  /** Reserves `amount` if spent + reserved + amount stays within the limit, at once; undefined otherwise. */
  tryReserve(amount: number): Reservation | undefined {
    if (this.limit === undefined) return NO_RESERVATION;
    if (this.stopped || this.spentSoFar + this.reserved + amount > this.limit) return undefined;
    this.reserved += amount;
    this.held++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.held--;
        this.reserved = this.held === 0 ? 0 : this.reserved - amount;
        const waiting = this.waiting;
        this.waiting = [];
        for (const wake of waiting) wake();
      },
    };
  }

  /**
   * Reserves `amount`, waiting while requests in flight hold reservations (their answers usually cost less
   * than reserved). Undefined, and the budget stops, when it cannot fit with nothing else in flight.
   */
  async reserve(amount: number): Promise<Reservation | undefined> {
    for (;;) {
      const reservation = this.tryReserve(amount);
      if (reservation !== undefined || this.stopped) return reservation;
      if (this.held === 0) {
        this.stop();
        return undefined;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** No request is submitted from now on (the budget is spent). */
  stop(): void {
    this.stopped = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  charge(usage: { prompt_tokens: number; completion_tokens: number }, batch = false): number {
    if (usage.prompt_tokens === 0 && usage.completion_tokens === 0) return 0;
    const cost = costOf(usage, this.price, batch);
    this.spentSoFar += cost;
    this.state.record({ stage: this.stage, purpose: this.purpose, model: this.model, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cost });
    return cost;
  }

  exceededError(pending: number): BudgetExceededError {
    return new BudgetExceededError(
      `teacher.max_cost $${this.limit?.toFixed(2)} reached ($${this.spentSoFar.toFixed(4)} spent; the next request's worst case did not fit): ${pending} inputs were not sent. ` +
        'Raise teacher.max_cost and run the same command again to continue; nothing already answered is paid again.',
    );
  }
}
