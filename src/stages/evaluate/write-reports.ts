import { writeFileAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import { readEarlierStages } from '../../report/earlier-stages.js';
import type { EvaluationReport } from '../../report/evaluation-report-schema.js';
import { renderHtml } from '../../report/html-report.js';
import { renderMarkdown } from '../../report/markdown-report.js';
import type { ReportContent, ReportExample } from '../../report/report-content.js';
import type { StageContext } from '../context.js';
import { STUDENT, TEACHER } from './evaluate-config.js';
import type { EvaluationItem } from './evaluation-item.js';
import type { PredictionRecord } from './prediction-record.js';

export interface ReportMaterial {
  report: EvaluationReport;
  items: readonly EvaluationItem[];
  predictions: Record<string, PredictionRecord[]>;
  correct: Record<string, boolean[]> | undefined;
  examples: number;
}

/** Examples for the report: the student's errors first (those the teacher got right before the rest), then the others. */
export function pickExamples(material: ReportMaterial): ReportExample[] {
  const student = material.correct?.[STUDENT];
  const teacher = material.correct?.[TEACHER];
  const rank = (index: number): number => (student === undefined ? 0 : student[index] ? 2 : teacher?.[index] ? 0 : 1);
  const order = material.items.map((_, index) => index).sort((left, right) => rank(left) - rank(right) || left - right);
  return order.slice(0, material.examples).map((index) => {
    const item = material.items[index]!;
    return {
      id: item.id,
      input: item.input,
      references: item.references,
      outputs: Object.entries(material.predictions).map(([model, records]) => ({ model, output: records[index]?.output ?? '', correct: material.correct?.[model]?.[index] })),
    };
  });
}

/** `evaluate/items.jsonl`: one row per item with each model's right/wrong on the error-analysis basis (null without one). */
export function evaluationItemRows(material: ReportMaterial): { id: string; input: string; references: string[]; label?: string; strata: Record<string, string>; correct: Record<string, boolean> | null }[] {
  return material.items.map((item, index) => ({
    id: item.id,
    input: item.input,
    references: item.references,
    ...(item.label === undefined ? {} : { label: item.label }),
    strata: item.strata,
    correct: material.correct ? Object.fromEntries(Object.entries(material.correct).map(([model, values]) => [model, values[index] ?? false])) : null,
  }));
}

/** `report.md` and `report.html` at the run's root, with the earlier stages' funnel and loss curves where present. */
export function writeReports(context: StageContext, material: ReportMaterial): void {
  const latencySamples = Object.fromEntries(
    Object.entries(material.predictions).map(([model, records]) => [model, records.flatMap((record) => (record.latency_ms === null ? [] : [record.latency_ms]))]),
  );
  const content: ReportContent = {
    title: `Distillery evaluation: ${context.task.config.name}`,
    report: material.report,
    examples: pickExamples(material),
    latencySamples,
    earlier: readEarlierStages({ funnel: context.paths.curate.funnel, trainMetrics: context.paths.train.metrics }),
  };
  writeJsonlAtomic(context.paths.evaluate.items, evaluationItemRows(material));
  writeFileAtomic(context.paths.reportMarkdown, renderMarkdown(content));
  writeFileAtomic(context.paths.reportHtml, renderHtml(content));
}
