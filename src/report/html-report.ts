import { escapeHtml } from './escape-html.js';
import { funnelChart } from './funnel-chart.js';
import { intervalPlot } from './interval-plot.js';
import { latencyChart } from './latency-chart.js';
import { lossChart } from './loss-chart.js';
import { comparisonLines, resultsTable, summaryLines, type ReportContent } from './report-content.js';
import { wordDiff } from './word-diff.js';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#111827}
table{border-collapse:collapse;margin:1rem 0;font-size:14px}th,td{border:1px solid #d1d5db;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}.verdict{font-size:1.2rem;padding:.6rem 1rem;border-radius:6px;background:#f3f4f6}
.viable{background:#dcfce7}.marginal{background:#fef9c3}.not-ready{background:#fee2e2}
ins{background:#dcfce7;text-decoration:none}del{background:#fee2e2}.ok{color:#16a34a}.bad{color:#dc2626}`;

export function htmlTable(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`;
  return `<table>${head}${rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</table>`;
}

/** Words of `output` against `input`: <ins>added</ins> and <del>removed</del>, every text escaped. */
export function htmlDiff(input: string, output: string): string {
  return wordDiff(input, output)
    .map((piece) => (piece.kind === 'same' ? escapeHtml(piece.text) : piece.kind === 'added' ? `<ins>${escapeHtml(piece.text)}</ins>` : `<del>${escapeHtml(piece.text)}</del>`))
    .join(' ');
}

function examplesSection(content: ReportContent): string {
  if (content.examples.length === 0) return '';
  const models = content.examples[0]!.outputs.map((output) => output.model);
  const rows = content.examples.map((example) => {
    const outputs = example.outputs.map((output) => {
      const mark = output.correct === undefined ? '' : output.correct ? '<span class="ok">✓</span> ' : '<span class="bad">✗</span> ';
      return `<td>${mark}${htmlDiff(example.input, output.output)}</td>`;
    });
    return `<tr><td>${escapeHtml(example.id)}</td><td>${escapeHtml(example.input)}</td><td>${escapeHtml(example.references[0] ?? '')}</td>${outputs.join('')}</tr>`;
  });
  const header = ['id', 'input', 'reference', ...models].map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  return `<h2>Examples</h2><p>Outputs against the input: <ins>added</ins> and <del>removed</del> words.</p><table><tr>${header}</tr>${rows.join('')}</table>`;
}

/** A self-contained page: inline CSS and SVG, no script, no external asset; every text escaped. */
export function renderHtml(content: ReportContent): string {
  const { report } = content;
  const results = resultsTable(report);
  const parts: string[] = [`<h1>${escapeHtml(content.title)}</h1>`];
  parts.push(`<p class="verdict ${report.verdict.label.replace(' ', '-')}"><strong>${escapeHtml(report.verdict.label)}</strong> — ${escapeHtml(report.verdict.reason)}</p>`);
  parts.push(`<ul>${summaryLines(report).slice(1).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`);
  parts.push('<h2>Results</h2>', htmlTable(results.header, results.rows));
  const metrics = [...new Set(Object.values(report.models).flatMap((model) => Object.keys(model.metrics)))];
  for (const metric of metrics) {
    const rows = Object.entries(report.models).flatMap(([name, model]) => (model.metrics[metric] ? [{ label: name, value: model.metrics[metric]!.value, ci95: model.metrics[metric]!.ci95 }] : []));
    parts.push(intervalPlot(`${metric} with 95% intervals`, rows));
  }
  if (report.comparisons.length > 0) parts.push('<h2>Paired comparisons</h2>', `<ul>${comparisonLines(report).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`);
  const latencyRows = Object.entries(report.models).flatMap(([name, model]) =>
    model.latency_ms ? [{ label: name, samples: content.latencySamples[name] ?? [], p50: model.latency_ms.p50, p95: model.latency_ms.p95, p99: model.latency_ms.p99 }] : [],
  );
  if (latencyRows.length > 0) parts.push('<h2>Latency</h2>', latencyChart(latencyRows));
  for (const [key, strata] of Object.entries(report.strata)) {
    const header = [key, 'n', ...Object.keys(report.models)];
    const rows = Object.entries(strata).map(([name, stratum]) => [name, String(stratum.n), ...Object.keys(report.models).map((model) => Object.entries(stratum.metrics[model] ?? {}).map(([metric, value]) => `${metric} ${(value * 100).toFixed(1)}`).join(', '))]);
    parts.push(`<h2>By ${escapeHtml(key)}</h2>`, htmlTable(header, rows));
  }
  if (content.earlier.funnel) parts.push('<h2>Curation</h2>', funnelChart(content.earlier.funnel));
  if (content.earlier.losses) parts.push('<h2>Training</h2>', lossChart(content.earlier.losses));
  if (report.unparsable_verdicts.length > 0) {
    parts.push('<h2>Unparsable judge verdicts (counted invalid)</h2>', htmlTable(['input', 'prediction', 'reply'], report.unparsable_verdicts.map((entry) => [entry.input, entry.prediction, entry.error ?? entry.reply])));
  }
  parts.push(examplesSection(content));
  return htmlPage(content.title, parts.join('\n'));
}

/** A standalone report page: the report's style, `body` as given (already escaped HTML). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}
