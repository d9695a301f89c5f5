import { forEachWithWorkers } from './evaluation-client.js';
import type { EvaluationItem } from './evaluation-item.js';
import type { AskJudge } from './judge-asker.js';
import { validityPrompt } from './judge-prompts.js';
import { parseValidityVerdict } from './judge-verdict.js';
import type { ReferenceJudgment } from './judgment-record.js';
import { decideByReference } from './reference-decision.js';
import { normalizeForMatch } from './text-match.js';

export interface JudgeCalls {
  /** Distinct (input, references, prediction) questions sent to the judge. */
  needed: number;
  /** Predictions settled without a call of their own. */
  saved: number;
  by_reference_match: number;
  by_unchanged_input: number;
  by_empty_output: number;
  by_deduplication: number;
}

export interface ReferenceJudgeOutcome {
  /** Per model, per item (in item order): whether the prediction is valid. */
  validity: Record<string, boolean[]>;
  judgeCalls: JudgeCalls;
  /** Judged pairs whose verdict could not be read (or whose call failed): counted invalid. */
  unparsable: { input: string; prediction: string; reply: string; error: string | null }[];
  judgments: ReferenceJudgment[];
}

/**
 * `reference_match_then_judge` over every model's predictions (`outputs[model][i]` answers `items[i]`). The
 * decision table settles what it can; each distinct (input, references, prediction) left is judged once,
 * whichever models produced it.
 */
export async function judgeAgainstReferences(
  items: readonly EvaluationItem[],
  outputs: Record<string, readonly string[]>,
  ask: AskJudge,
  options: { template: string; workers: number; signal: AbortSignal },
): Promise<ReferenceJudgeOutcome> {
  const calls: JudgeCalls = { needed: 0, saved: 0, by_reference_match: 0, by_unchanged_input: 0, by_empty_output: 0, by_deduplication: 0 };
  const judgments = new Map<string, ReferenceJudgment>();
  const pending: { key: string; item: EvaluationItem }[] = [];
  const keys: Record<string, string[]> = {};
  for (const [model, predictions] of Object.entries(outputs)) {
    keys[model] = items.map((item, index) => {
      const prediction = predictions[index] ?? '';
      // The references are part of what is judged: the same input and prediction against other references is another question.
      const key = JSON.stringify([normalizeForMatch(item.input), item.references.map(normalizeForMatch).sort(), normalizeForMatch(prediction)]);
      const existing = judgments.get(key);
      if (existing) {
        existing.predictions.push({ model, id: item.id });
        if (existing.source === 'judge') calls.by_deduplication++;
        else countRule(calls, existing.source);
        return key;
      }
      const rule = decideByReference(item.input, item.references, prediction);
      const judgment: ReferenceJudgment =
        rule.decision === 'judge'
          ? { kind: 'reference', input: item.input, prediction, predictions: [{ model, id: item.id }], decision: 'invalid', source: 'judge' }
          : { kind: 'reference', input: item.input, prediction, predictions: [{ model, id: item.id }], decision: rule.decision, source: rule.source };
      judgments.set(key, judgment);
      if (rule.decision === 'judge') pending.push({ key, item });
      else countRule(calls, rule.source);
      return key;
    });
  }

  const unparsable: ReferenceJudgeOutcome['unparsable'] = [];
  await forEachWithWorkers(pending, options.workers, options.signal, async ({ key, item }) => {
    const judgment = judgments.get(key)!;
    const reply = await ask(validityPrompt(options.template, item.input, item.references, judgment.prediction));
    const verdict = parseValidityVerdict(reply.answer);
    judgment.reply = reply.answer;
    judgment.error = reply.error;
    judgment.unparsable = verdict === 'unparsable';
    judgment.decision = verdict === 'valid' ? 'valid' : 'invalid';
    if (verdict === 'unparsable') unparsable.push({ input: item.input, prediction: judgment.prediction, reply: reply.answer, error: reply.error });
  });

  calls.needed = pending.length;
  const total = Object.keys(outputs).length * items.length;
  calls.saved = total - calls.needed;
  const validity: Record<string, boolean[]> = {};
  for (const [model, modelKeys] of Object.entries(keys)) validity[model] = modelKeys.map((key) => judgments.get(key)!.decision === 'valid');
  return { validity, judgeCalls: calls, unparsable, judgments: [...judgments.values()] };
}

function countRule(calls: JudgeCalls, source: ReferenceJudgment['source']): void {
  if (source === 'reference_match') calls.by_reference_match++;
  else if (source === 'unchanged_input') calls.by_unchanged_input++;
  else if (source === 'empty_output') calls.by_empty_output++;
}
