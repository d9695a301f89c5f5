import { describe, expect, it } from 'vitest';
import type { PairwiseJudgment } from './judgment-record.js';
import { summarizePairwise } from './pairwise-summary.js';

const judgment = (id: string, first: string, verdict: PairwiseJudgment['verdict'], swapped = false): PairwiseJudgment => {
  const studentFirst = first === 'student';
  const outcome = verdict === 'tie' || verdict === 'unparsable' ? verdict : (verdict === 'first') === studentFirst ? 'win' : 'loss';
  return { kind: 'pairwise', id, first, second: studentFirst ? 'teacher' : 'student', swapped, verdict, outcome, identical: false };
};

describe('summarizePairwise', () => {
  it('counts outcomes from the randomized order and measures position bias on the swapped pairs', () => {
    const summary = summarizePairwise('teacher', [
      judgment('1', 'student', 'first'), //  win
      judgment('1', 'teacher', 'first', true), // swapped: the first answer again → loss: inconsistent
      judgment('2', 'teacher', 'second'), // win
      judgment('2', 'student', 'first', true), // swapped: still the student → consistent
      judgment('3', 'teacher', 'tie'),
      judgment('4', 'student', 'second'), // loss
      judgment('5', 'student', 'unparsable'),
    ]);
    expect(summary).toMatchObject({ against: 'teacher', n: 4, wins: 2, ties: 1, losses: 1, unparsable: 1 });
    expect(summary.win_rate.value).toBe(0.5);
    expect(summary.win_rate.ci95![0]).toBeCloseTo(0.15, 2); // Wilson 2/4
    // Pairs 1 and 2: verdicts first, first, second, first → 3 of 4 name the first answer.
    expect(summary.position_bias).toMatchObject({ pairs: 2, consistent: 1 });
    expect(summary.position_bias.first_position_rate?.value).toBe(0.75);
  });
});
