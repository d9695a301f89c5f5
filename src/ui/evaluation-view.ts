import { z } from 'zod';
import { predictionRecordSchema, type PredictionRecord } from '../stages/evaluate/prediction-record.js';
import type { EvaluationReport } from '../report/evaluation-report-schema.js';
import type { RunFiles } from './run-files.js';
import { evaluationReportOf } from './run-snapshot.js';

export type ItemClass = 'all' | 'compression' | 'inherited' | 'disagreement' | 'student_only_correct';

const itemSchema = z.object({
  id: z.string(),
  input: z.string(),
  references: z.array(z.string()),
  /** The gold label of a classification item. */
  label: z.string().optional(),
  strata: z.record(z.string(), z.string()).default({}),
  correct: z.record(z.string(), z.boolean()).nullable(),
});
export type EvaluationItemRow = z.infer<typeof itemSchema>;

const referenceJudgmentSchema = z.object({
  kind: z.literal('reference'),
  predictions: z.array(z.object({ model: z.string(), id: z.string() })),
  decision: z.enum(['valid', 'invalid']),
  source: z.string(),
  reply: z.string().optional(),
});
const pairwiseJudgmentSchema = z.object({ kind: z.literal('pairwise'), id: z.string(), first: z.string(), second: z.string(), outcome: z.string(), swapped: z.boolean() });

export interface Verdict {
  decision: 'valid' | 'invalid';
  source: string;
  reply: string | undefined;
}

export interface EvaluationView {
  report: EvaluationReport | undefined;
  items: EvaluationItemRow[];
  models: string[];
  /** Each model's prediction per item id. */
  predictions: Map<string, Map<string, PredictionRecord>>;
  /** The reference judge's verdict per `model\u0000id`. */
  verdicts: Map<string, Verdict>;
  /** Pairwise outcomes (from the student's side) per item id. */
  pairwise: Map<string, { against: string; outcome: string; swapped: boolean }[]>;
  /** Whether right/wrong per item is known (the evaluation had an item-level metric). */
  graded: boolean;
}

/**
 * Items before `evaluate/items.jsonl` existed: ids from the predictions, right/wrong from the report's error
 * analysis (the ids it lists; every other item both got right).
 */
function itemsFromReport(report: EvaluationReport | undefined, predictions: PredictionRecord[]): EvaluationItemRow[] {
  const ids = [...new Set(predictions.map((prediction) => prediction.id))];
  const analysis = report?.error_analysis;
  const classes = new Map<string, [boolean, boolean]>();
  for (const id of analysis?.ids.compression ?? []) classes.set(id, [false, true]);
  for (const id of analysis?.ids.inherited ?? []) classes.set(id, [false, false]);
  for (const id of analysis?.ids.student_only_correct ?? []) classes.set(id, [true, false]);
  return ids.map((id) => {
    const [student, teacher] = classes.get(id) ?? [true, true];
    return { id, input: '', references: [], strata: {}, correct: analysis ? { student, teacher } : null };
  });
}

export function readEvaluationView(files: RunFiles): EvaluationView {
  const { evaluate } = files.paths;
  const report = evaluationReportOf(files);
  const parsed = files.derived('evaluation-view', [evaluate.predictions, evaluate.items, evaluate.judgments], () => {
    const predictions = files.rows(evaluate.predictions).values(predictionRecordSchema);
    const items = files.rows(evaluate.items).count() > 0 ? files.rows(evaluate.items).values(itemSchema) : itemsFromReport(report, predictions);
    const byModel = new Map<string, Map<string, PredictionRecord>>();
    for (const prediction of predictions) {
      let map = byModel.get(prediction.model);
      if (map === undefined) byModel.set(prediction.model, (map = new Map()));
      map.set(prediction.id, prediction);
    }
    const verdicts = new Map<string, Verdict>();
    const pairwise = new Map<string, { against: string; outcome: string; swapped: boolean }[]>();
    for (const judgment of files.rows(evaluate.judgments).values(z.union([referenceJudgmentSchema, pairwiseJudgmentSchema]))) {
      if (judgment.kind === 'reference') {
        for (const { model, id } of judgment.predictions) verdicts.set(`${model}\u0000${id}`, { decision: judgment.decision, source: judgment.source, reply: judgment.reply });
      } else {
        const against = judgment.first === 'student' ? judgment.second : judgment.first;
        const list = pairwise.get(judgment.id) ?? [];
        list.push({ against, outcome: judgment.outcome, swapped: judgment.swapped });
        pairwise.set(judgment.id, list);
      }
    }
    return { items, predictions: byModel, verdicts, pairwise };
  });
  const empty = { items: [], predictions: new Map(), verdicts: new Map(), pairwise: new Map() };
  const view = parsed ?? empty;
  return { report, ...view, models: [...view.predictions.keys()], graded: view.items.some((item) => item.correct !== null) };
}

/** Whether an item belongs to a class: by right/wrong for the error classes, by differing answers for disagreement. */
export function inClass(view: EvaluationView, item: EvaluationItemRow, itemClass: ItemClass): boolean {
  if (itemClass === 'all') return true;
  if (itemClass === 'disagreement') {
    const student = view.predictions.get('student')?.get(item.id)?.output.trim();
    const teacher = view.predictions.get('teacher')?.get(item.id)?.output.trim();
    return student !== undefined && teacher !== undefined && student !== teacher;
  }
  const student = item.correct?.student;
  const teacher = item.correct?.teacher;
  if (student === undefined || teacher === undefined) return false;
  if (itemClass === 'compression') return !student && teacher;
  if (itemClass === 'inherited') return !student && !teacher;
  return student && !teacher;
}
