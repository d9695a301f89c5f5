import { forEachWithWorkers } from './evaluation-client.js';
import type { EvaluationItem } from './evaluation-item.js';
import type { AskJudge } from './judge-asker.js';
import { pairwisePrompt } from './judge-prompts.js';
import { parsePairwiseVerdict } from './judge-verdict.js';
import type { PairwiseJudgment } from './judgment-record.js';
import { seededRandom, seededSample } from './seeded-sample.js';
import { sameText } from './text-match.js';

export interface PairwiseOptions {
  student: string;
  against: string;
  /** Items judged; all when undefined. */
  sample: number | undefined;
  /** Of the sample, how many are also judged with the order swapped. */
  bothOrders: number;
  seed: number;
  template: string;
  workers: number;
  signal: AbortSignal;
}

interface PlannedJudgment {
  item: EvaluationItem;
  studentFirst: boolean;
  swapped: boolean;
  studentOutput: string;
  otherOutput: string;
}

/**
 * Student against another model, item by item. Which answer is shown first is drawn per item from the seed;
 * the first `bothOrders` items of the sample are judged a second time with the order swapped. Identical answers
 * are a tie without a call.
 */
export async function judgePairwise(
  items: readonly EvaluationItem[],
  outputs: Record<string, readonly string[]>,
  ask: AskJudge,
  options: PairwiseOptions,
): Promise<PairwiseJudgment[]> {
  const random = seededRandom(options.seed);
  const chosen = seededSample(items.length, options.sample ?? items.length, random);
  const plan: PlannedJudgment[] = [];
  chosen.forEach((index, position) => {
    const item = items[index]!;
    const studentOutput = outputs[options.student]?.[index] ?? '';
    const otherOutput = outputs[options.against]?.[index] ?? '';
    const studentFirst = random() < 0.5;
    plan.push({ item, studentFirst, swapped: false, studentOutput, otherOutput });
    if (position < options.bothOrders) plan.push({ item, studentFirst: !studentFirst, swapped: true, studentOutput, otherOutput });
  });

  const judgments = new Array<PairwiseJudgment>(plan.length);
  await forEachWithWorkers(plan, options.workers, options.signal, async (planned, index) => {
    const first = planned.studentFirst ? options.student : options.against;
    const second = planned.studentFirst ? options.against : options.student;
    const base = { kind: 'pairwise' as const, id: planned.item.id, first, second, swapped: planned.swapped };
    if (sameText(planned.studentOutput, planned.otherOutput)) {
      judgments[index] = { ...base, verdict: 'tie', outcome: 'tie', identical: true };
      return;
    }
    const [firstText, secondText] = planned.studentFirst ? [planned.studentOutput, planned.otherOutput] : [planned.otherOutput, planned.studentOutput];
    const reply = await ask(pairwisePrompt(options.template, planned.item.input, planned.item.references, firstText, secondText));
    const verdict = parsePairwiseVerdict(reply.answer);
    judgments[index] = { ...base, verdict, outcome: studentOutcome(verdict, planned.studentFirst), identical: false, reply: reply.answer, error: reply.error };
  });
  return judgments.filter((judgment) => judgment !== undefined);
}

export function studentOutcome(verdict: PairwiseJudgment['verdict'], studentFirst: boolean): PairwiseJudgment['outcome'] {
  if (verdict === 'tie' || verdict === 'unparsable') return verdict;
  return (verdict === 'first') === studentFirst ? 'win' : 'loss';
}
