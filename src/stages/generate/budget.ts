import { BudgetExceededError } from '../../errors.js';
import { costOf, type Price } from '../../llm/pricing.js';
import type { RunState } from '../../store/run-state.js';

/**
 * The money side of generation: every answer's tokens go to the ledger (failed attempts' too), and once
 * `max_cost` is spent no new request is submitted. Spending from earlier attempts of the run counts.
 */
export class Budget {
  private spentSoFar: number;

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

  get spent(): number {
    return this.spentSoFar;
  }

  get exhausted(): boolean {
    return this.limit !== undefined && this.spentSoFar >= this.limit;
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
      `teacher.max_cost $${this.limit?.toFixed(2)} reached ($${this.spentSoFar.toFixed(4)} spent): ${pending} inputs were not sent. ` +
        'Raise teacher.max_cost and run the same command again to continue; nothing already answered is paid again.',
    );
  }
}
