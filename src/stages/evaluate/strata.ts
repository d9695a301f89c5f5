import type { EvaluationItem } from './evaluation-item.js';
import type { ModelMetric } from './metric-scorers.js';

export type StrataReport = Record<string, Record<string, { n: number; metrics: Record<string, Record<string, number>> }>>;

/** Every metric of every model recomputed on each stratum's items, for each `stratify` key; strata sorted by name. */
export function stratify(items: readonly EvaluationItem[], keys: readonly string[], metrics: Record<string, ModelMetric[]>): StrataReport {
  const report: StrataReport = {};
  for (const key of keys) {
    const groups = new Map<string, number[]>();
    items.forEach((item, index) => {
      const stratum = item.strata[key] ?? '(none)';
      groups.set(stratum, [...(groups.get(stratum) ?? []), index]);
    });
    report[key] = {};
    for (const [stratum, indices] of [...groups].sort(([left], [right]) => left.localeCompare(right, 'en', { numeric: true }))) {
      const byModel: Record<string, Record<string, number>> = {};
      for (const [model, modelMetrics] of Object.entries(metrics)) byModel[model] = Object.fromEntries(modelMetrics.map((metric) => [metric.name, metric.score(indices)]));
      report[key]![stratum] = { n: indices.length, metrics: byModel };
    }
  }
  return report;
}
