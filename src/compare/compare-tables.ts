import type { MetricValue } from '../report/evaluation-report-schema.js';
import type { CompareReport } from './compare-report-schema.js';

/** The comparison as plain tables (header and rows of text), rendered alike in report.md and report.html. */
export interface Table {
  header: string[];
  rows: string[][];
}

const points = (value: number) => (value * 100).toFixed(1);
const withInterval = (value: number, ci95: [number, number] | null | undefined, scale: (value: number) => string) =>
  ci95 ? `${scale(value)} [${scale(ci95[0])}, ${scale(ci95[1])}]` : scale(value);
const percent = (metric: MetricValue) => (metric.ci95 ? `${points(metric.value)}% [${points(metric.ci95[0])}, ${points(metric.ci95[1])}]` : `${points(metric.value)}%`);
const ratio = (value: number) => value.toFixed(3);

export function methodsTable(report: CompareReport): Table {
  return {
    header: ['method', 'loss, weights trained', 'reasoning kept', `student ${report.primary_metric} % (95% CI)`, 'transfer ratio (95% CI)', 'train time', 'optimizer steps', 'teacher calls / tokens in training'],
    rows: report.variants.map((row) => [
      row.name,
      row.loss,
      row.include_reasoning ? 'yes' : 'no',
      percent(row.metric),
      row.transfer_ratio ? withInterval(row.transfer_ratio.value, row.transfer_ratio.ci95, ratio) : 'n/a',
      row.train_seconds === null ? 'n/a' : `${Math.round(row.train_seconds)} s`,
      row.steps === null ? 'n/a' : String(row.steps),
      `${row.teacher_calls} / ${row.teacher_tokens}`,
    ]),
  };
}

export function pairedTable(report: CompareReport): Table {
  return {
    header: ['method', `− ${report.against} (points)`, '95% CI (paired bootstrap)', `right only with the method / only with ${report.against}`, 'McNemar p'],
    rows: report.paired.map((comparison) => [
      comparison.model,
      `${comparison.difference >= 0 ? '+' : ''}${points(comparison.difference)}`,
      comparison.ci95 ? `[${points(comparison.ci95[0])}, ${points(comparison.ci95[1])}]` : 'n/a',
      comparison.mcnemar ? `${comparison.mcnemar.only_model} / ${comparison.mcnemar.only_against}` : 'n/a',
      comparison.mcnemar ? comparison.mcnemar.p_value.toPrecision(2) : 'n/a',
    ]),
  };
}

/** The lines above the tables: the shared evaluation and the shared generation. */
export function summaryOf(report: CompareReport): string[] {
  const references = Object.entries(report.references).map(([name, metric]) => `${name} ${percent(metric)}`);
  const { generation } = report;
  return [
    `${report.variants.length} variants, each trained on the same teacher answers and evaluated on the same ${report.items} held-out items (${report.primary_metric}).`,
    `Asked once for every variant: ${references.join('; ') || 'no other model'}.`,
    `Generation, shared: ${generation.teacher_calls} teacher answers, ${generation.prompt_tokens + generation.completion_tokens} tokens (${generation.prompt_tokens} prompt, ${generation.completion_tokens} completion).`,
  ];
}
