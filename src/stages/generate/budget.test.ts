import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database.js';
import { RunState } from '../../store/run-state.js';
import { Budget } from './budget.js';

describe('Budget reservations', () => {
  it('a request that does not fit waits for those in flight, and stops the budget once none is left (float sums included)', async () => {
    const state = new RunState(openDatabase(':memory:'));
    const budget = new Budget(state, 'generate', 'teacher', 'm', { input: 1, output: 1 }, 0.31);
    const first = budget.tryReserve(0.1)!;
    const second = budget.tryReserve(0.2)!; // 0.1 + 0.2 is 0.30000000000000004 in floating point
    expect(second).toBeDefined();
    let settled: unknown = 'pending';
    const waiting = budget.reserve(0.25).then((reservation) => (settled = reservation));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe('pending'); // two reservations held: it waits
    budget.charge({ prompt_tokens: 50_000, completion_tokens: 50_000 }); // $0.1 spent
    first.release();
    second.release(); // none held now (the float sum is not 0); 0.1 spent + 0.25 does not fit
    await waiting;
    expect(settled).toBeUndefined();
    expect(budget.exhausted).toBe(true);
    expect(budget.tryReserve(0.01)).toBeUndefined(); // stopped for good
    state.database.close();
  });

  it('without max_cost nothing is reserved or refused', () => {
    const state = new RunState(openDatabase(':memory:'));
    const budget = new Budget(state, 'generate', 'teacher', 'm', undefined, undefined);
    expect(budget.tryReserve(1e9)).toBeDefined();
    expect(budget.exhausted).toBe(false);
    state.database.close();
  });
});
