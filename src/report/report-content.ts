import type { EarlierStages } from './earlier-stages.js';
import type { EvaluationReport, MetricValue } from './evaluation-report-schema.js';

export interface ReportExample {
  id: string;
  input: string;
  references: string[];
  outputs: { model: string; output: string; correct: boolean | undefined }[];
}

/** Everything the Markdown and HTML reports show. */
export interface ReportContent {
  title: string;
  report: EvaluationReport;
  examples: ReportExample[];
  /** Every request's latency per model, for the distribution chart. */
  latencySamples: Record<string, number[]>;
  earlier: EarlierStages;
}

export function formatScore(metric: MetricValue | undefined): string {
  if (metric === undefined) return '–';
  const interval = metric.ci95 ? ` [${(metric.ci95[0] * 100).toFixed(1)}, ${(metric.ci95[1] * 100).toFixed(1)}]` : '';
  return `${(metric.value * 100).toFixed(1)}${interval}`;
}

const milliseconds = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(0));

/** The results table as plain cells, shared by both renderers: one row per model. */
export function resultsTable(report: EvaluationReport): { header: string[]; rows: string[][] } {
  const metrics = [...new Set(Object.values(report.models).flatMap((model) => Object.keys(model.metrics)))];
  const header = ['model', 'n', ...metrics.map((metric) => `${metric} (95% CI)`), 'p50 ms', 'p95 ms', 'p99 ms', 'req/s', 'tokens in/out', '$ per 1k', 'speed-up'];
  const rows = Object.entries(report.models).map(([name, model]) => [
    `${name} (${model.model_id})`,
    String(model.n),
    ...metrics.map((metric) => formatScore(model.metrics[metric])),
    milliseconds(model.latency_ms?.p50),
    milliseconds(model.latency_ms?.p95),
    milliseconds(model.latency_ms?.p99),
    model.throughput_rps === null ? '–' : model.throughput_rps.toFixed(1),
    `${model.tokens_per_request.prompt.toFixed(0)}/${model.tokens_per_request.completion.toFixed(0)}`,
    model.priced ? model.cost_per_1k.toFixed(3) : 'no price',
    report.speedup[name] === undefined ? '–' : `${report.speedup[name]!.toFixed(2)}×`,
  ]);
  return { header, rows };
}

export function comparisonLines(report: EvaluationReport): string[] {
  return report.comparisons.map((comparison) => {
    const interval = comparison.ci95 ? ` [${(comparison.ci95[0] * 100).toFixed(1)}, ${(comparison.ci95[1] * 100).toFixed(1)}]` : '';
    const mcnemar = comparison.mcnemar ? `; McNemar p = ${comparison.mcnemar.p_value.toPrecision(3)} (${comparison.mcnemar.only_model} vs ${comparison.mcnemar.only_against} discordant)` : '';
    return `${comparison.metric}: ${comparison.model} − ${comparison.against} = ${(comparison.difference * 100).toFixed(1)} points${interval} (${comparison.method})${mcnemar}`;
  });
}

export function summaryLines(report: EvaluationReport): string[] {
  const lines = [`Verdict: ${report.verdict.label} — ${report.verdict.reason}`];
  if (report.transfer_ratio) {
    const interval = report.transfer_ratio.ci95 ? ` (95% CI ${report.transfer_ratio.ci95[0].toFixed(3)}–${report.transfer_ratio.ci95[1].toFixed(3)})` : '';
    lines.push(`Transfer ratio (student / teacher ${report.primary_metric}): ${report.transfer_ratio.value.toFixed(3)}${interval}`);
  }
  if (report.judge_calls) lines.push(`Judge calls: ${report.judge_calls.needed} made, ${report.judge_calls.saved} saved`);
  const pairwise = report.pairwise;
  if (pairwise) {
    lines.push(`Pairwise vs ${pairwise.against}: ${pairwise.wins} wins, ${pairwise.ties} ties, ${pairwise.losses} losses (win rate ${formatScore(pairwise.win_rate)})`);
    const bias = pairwise.position_bias;
    if (bias.pairs > 0) lines.push(`Position bias: ${bias.consistent}/${bias.pairs} consistent when swapped; first answer chosen ${formatScore(bias.first_position_rate ?? undefined)}% of decided verdicts`);
  }
  const errors = report.error_analysis;
  if (errors) lines.push(`Student errors (${errors.basis}): ${errors.student_errors} — ${errors.inherited} inherited from the teacher, ${errors.compression} lost in compression; ${errors.student_only_correct} items right where the teacher was wrong`);
  return [...lines, ...report.notes];
}
