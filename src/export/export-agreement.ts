import { metricsFor } from '../stages/evaluate/metric-scorers.js';
import type { ExportSources } from './export-sources.js';

export interface AgreementFigures {
  items: number;
  /** Fraction of items the export answers exactly as the trained student did. */
  agreement: number;
  metric: { name: string; student: number | null; export: number | null };
  disagreements: { id: string; student: string; export: string }[];
}

/**
 * The evaluation compares trimmed text, so surrounding whitespace is no disagreement; nor is a UTF-8
 * character cut by max_tokens, which one engine drops and another shows as U+FFFD.
 */
export function comparableAnswer(text: string): string {
  return text.replace(/\uFFFD+$/u, '').trim();
}

const JUDGED = new Set(['reference_match_then_judge']);

/** Compares the export's answers with the student's on the items both answered, with the task's primary metric. */
export function exportAgreement(sources: ExportSources, answers: Map<string, string>): AgreementFigures {
  const items = sources.items.filter((item) => answers.has(item.id) && sources.studentAnswers.has(item.id));
  const student = items.map((item) => sources.studentAnswers.get(item.id)!);
  const exported = items.map((item) => answers.get(item.id)!);
  const same = items.map((_, index) => comparableAnswer(student[index]!) === comparableAnswer(exported[index]!));
  const name = sources.evaluate.primary_metric ?? sources.evaluate.metrics[0]!;
  const score = (outputs: string[]): number | null => {
    if (JUDGED.has(name) || items.length === 0) return null;
    const metric = metricsFor(outputs, { items, config: { ...sources.evaluate, metrics: [name] }, validity: undefined }).find((entry) => entry.name === name);
    return metric === undefined ? null : metric.score(items.map((_, index) => index));
  };
  return {
    items: items.length,
    agreement: items.length === 0 ? 0 : same.filter(Boolean).length / items.length,
    metric: { name, student: score(student), export: score(exported) },
    disagreements: items.flatMap((item, index) => (same[index] ? [] : [{ id: item.id, student: student[index]!, export: exported[index]! }])).slice(0, 20),
  };
}
