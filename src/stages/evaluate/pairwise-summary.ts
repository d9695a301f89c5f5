import type { MetricValue, PairwiseReport } from '../../report/evaluation-report-schema.js';
import type { PairwiseJudgment } from './judgment-record.js';
import { wilsonInterval } from './stats/proportion-interval.js';

function rate(successes: number, total: number): MetricValue {
  if (total === 0) return { value: 0, ci95: null, method: 'wilson' };
  const wilson = wilsonInterval(successes, total);
  return { value: successes / total, ci95: [wilson.low, wilson.high], method: 'wilson' };
}

/**
 * Win/tie/loss of the student from the randomized-order judgments (unparsable ones left out and counted);
 * position bias from the items judged in both orders: how often the verdict survived the swap, and the share
 * of decided verdicts that named the first answer.
 */
export function summarizePairwise(against: string, judgments: readonly PairwiseJudgment[]): PairwiseReport {
  const primary = judgments.filter((judgment) => !judgment.swapped);
  const count = (outcome: PairwiseJudgment['outcome']): number => primary.filter((judgment) => judgment.outcome === outcome).length;
  const [wins, ties, losses, unparsable] = [count('win'), count('tie'), count('loss'), count('unparsable')];
  const decided = wins + ties + losses;

  let pairs = 0;
  let consistent = 0;
  let firstChosen = 0;
  let sideChosen = 0;
  for (const swapped of judgments.filter((judgment) => judgment.swapped && !judgment.identical)) {
    const original = primary.find((judgment) => judgment.id === swapped.id);
    if (original === undefined) continue;
    pairs++;
    if (original.outcome === swapped.outcome && swapped.outcome !== 'unparsable') consistent++;
    for (const verdict of [original.verdict, swapped.verdict]) {
      if (verdict === 'first' || verdict === 'second') sideChosen++;
      if (verdict === 'first') firstChosen++;
    }
  }
  return {
    against, n: decided, wins, ties, losses, unparsable,
    win_rate: rate(wins, decided),
    loss_rate: rate(losses, decided),
    position_bias: { pairs, consistent, first_position_rate: sideChosen === 0 ? null : rate(firstChosen, sideChosen) },
  };
}
