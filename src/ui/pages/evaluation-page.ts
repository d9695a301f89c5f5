import { escapeHtml } from '../../report/escape-html.js';
import { htmlDiff } from '../../report/html-report.js';
import { intervalPlot } from '../../report/interval-plot.js';
import { latencyChart } from '../../report/latency-chart.js';
import { resultsTable, summaryLines } from '../../report/report-content.js';
import { latencyHistogram } from '../latency-histogram.js';
import { inClass, type EvaluationItemRow, type EvaluationView, type ItemClass } from '../evaluation-view.js';
import { htmlTable, page, pager, runHref, verdictBadge } from '../html-page.js';

const CLASSES: [ItemClass, string][] = [
  ['all', 'all items'],
  ['compression', 'student wrong, teacher right (compression)'],
  ['inherited', 'both wrong (inherited)'],
  ['disagreement', 'student and teacher answer differently'],
  ['student_only_correct', 'student right, teacher wrong'],
];

export interface EvaluationQuery {
  itemClass: ItemClass;
  /** `key=value`, e.g. `length_bucket=11-20`; empty for every stratum. */
  stratum: string;
  page: number;
  pageSize: number;
}

function resultsSection(view: EvaluationView): string {
  const report = view.report;
  if (!report) return '<p class="muted">No evaluation report yet.</p>';
  const results = resultsTable(report);
  const parts = [verdictBadge(report.verdict.label, report.verdict.reason), `<ul>${summaryLines(report).slice(1).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`];
  parts.push(htmlTable(results.header, results.rows.map((row) => row.map(escapeHtml)), 'data-testid="results"'));
  const metrics = [...new Set(Object.values(report.models).flatMap((model) => Object.keys(model.metrics)))];
  for (const metric of metrics) {
    const rows = Object.entries(report.models).flatMap(([name, model]) => (model.metrics[metric] ? [{ label: name, value: model.metrics[metric]!.value, ci95: model.metrics[metric]!.ci95 }] : []));
    parts.push(intervalPlot(`${metric} with 95% intervals`, rows));
  }
  const latencyRows = Object.entries(report.models).flatMap(([name, model]) => {
    if (!model.latency_ms) return [];
    const samples = [...(view.predictions.get(name)?.values() ?? [])].flatMap((prediction) => (prediction.latency_ms === null ? [] : [prediction.latency_ms]));
    return [{ label: name, samples, p50: model.latency_ms.p50, p95: model.latency_ms.p95, p99: model.latency_ms.p99 }];
  });
  if (latencyRows.length > 0) parts.push('<h2>Latency</h2>', latencyChart(latencyRows), `<div data-testid="latency-histograms">${latencyHistogram(latencyRows)}</div>`);
  return parts.join('\n');
}

function modelCell(view: EvaluationView, item: EvaluationItemRow, model: string): string {
  const prediction = view.predictions.get(model)?.get(item.id);
  if (prediction === undefined) return '<td class="muted">–</td>';
  const correct = item.correct?.[model];
  const mark = correct === undefined ? '' : correct ? '<span class="ok" data-correct="true">✓</span> ' : '<span class="bad" data-correct="false">✗</span> ';
  const verdict = view.verdicts.get(`${model}\u0000${item.id}`);
  const judge = verdict ? `<div class="muted judge">judge: ${escapeHtml(verdict.decision)} (${escapeHtml(verdict.source)})${verdict.reply ? ` — ${escapeHtml(verdict.reply.slice(0, 300))}` : ''}</div>` : '';
  const againstReference = item.references[0] !== undefined ? `<details><summary>against the reference</summary>${htmlDiff(item.references[0], prediction.output)}</details>` : '';
  const failed = prediction.error ? `<div class="bad">failed: ${escapeHtml(prediction.error)}</div>` : '';
  // A label (classification) is not an edit of the input: shown as it is, not as a diff.
  const answer = item.input && item.label === undefined ? htmlDiff(item.input, prediction.output) : `<strong>${escapeHtml(prediction.output)}</strong>`;
  return `<td class="text" data-model="${escapeHtml(model)}">${mark}${answer}${againstReference}${judge}${failed}</td>`;
}

/** Results with intervals and latency, then every item side by side, filtered by error class and stratum. */
export function evaluationPage(run: string, view: EvaluationView, query: EvaluationQuery): string {
  const path = runHref(run, '/evaluation');
  const [stratumKey, stratumValue] = query.stratum.includes('=') ? query.stratum.split('=', 2) : ['', ''];
  const selected = view.items.filter((item) => inClass(view, item, query.itemClass) && (stratumKey === '' || item.strata[stratumKey!] === stratumValue));
  const pageNumber = Math.min(query.page, Math.max(1, Math.ceil(selected.length / query.pageSize)));
  const shown = selected.slice((pageNumber - 1) * query.pageSize, pageNumber * query.pageSize);
  const strata = [...new Set(view.items.flatMap((item) => Object.entries(item.strata).map(([key, value]) => `${key}=${value}`)))].sort();
  const classOptions = CLASSES.map(([value, label]) => `<option value="${value}"${value === query.itemClass ? ' selected' : ''}${value !== 'all' && value !== 'disagreement' && !view.graded ? ' disabled' : ''}>${escapeHtml(label)} (${view.items.filter((item) => inClass(view, item, value)).length})</option>`).join('');
  const stratumOptions = ['', ...strata].map((value) => `<option value="${escapeHtml(value)}"${value === query.stratum ? ' selected' : ''}>${value === '' ? 'every stratum' : escapeHtml(value)}</option>`).join('');
  const form = `<form class="filters" method="get" action="${path}"><select name="class" data-testid="class-filter">${classOptions}</select><select name="stratum" data-testid="stratum-filter">${stratumOptions}</select><button type="submit">Filter</button></form>`;
  const models = view.models;
  const rows = shown.map((item) => {
    const pairwise = (view.pairwise.get(item.id) ?? []).map((entry) => `${entry.outcome} vs ${entry.against}${entry.swapped ? ' (swapped)' : ''}`).join(', ');
    return [
      `<span class="item-id">${escapeHtml(item.id)}</span>`,
      `<td class="text">${escapeHtml(item.input)}</td>`,
      `<td class="text">${item.label === undefined ? '' : `<div>label: <strong>${escapeHtml(item.label)}</strong></div>`}${item.references.map((reference) => `<div>${escapeHtml(reference)}</div>`).join('')}</td>`,
      ...models.map((model) => modelCell(view, item, model)),
      escapeHtml(pairwise),
    ];
  });
  const parameters = { class: query.itemClass, stratum: query.stratum };
  const body = [
    '<h1>Evaluation</h1>',
    resultsSection(view),
    '<h2>Items</h2>',
    view.items.length === 0 ? '<p class="muted">No evaluation items yet.</p>' : view.graded ? '' : '<p class="muted">This evaluation had no item-level metric: right and wrong per item are unknown.</p>',
    form,
    pager(path, parameters, pageNumber, query.pageSize, selected.length),
    '<p class="muted">Each answer against the input: <ins>added</ins> and <del>removed</del> words.</p>',
    htmlTable(['id', 'input', 'reference / label', ...models, 'pairwise'], rows, 'data-testid="items"'),
    pager(path, parameters, pageNumber, query.pageSize, selected.length),
  ];
  return page({ title: `Evaluation · ${run}`, run, active: 'evaluation', body: body.join('\n') });
}
