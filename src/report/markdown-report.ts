import { escapeHtmlContent } from './escape-html.js';
import { comparisonLines, resultsTable, summaryLines, type ReportContent } from './report-content.js';
import { wordDiff } from './word-diff.js';

/** Text safe inside a Markdown table cell, and inert where Markdown is rendered to HTML. */
function cell(text: string): string {
  return escapeHtmlContent(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table, each cell escaped (HTML, pipes, line breaks). */
export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

/** Diff of an output against the input: ~~removed~~ and **added** words. */
function markdownDiff(input: string, output: string): string {
  return wordDiff(input, output)
    .map((piece) => (piece.kind === 'same' ? cell(piece.text) : piece.kind === 'added' ? `**${cell(piece.text)}**` : `~~${cell(piece.text)}~~`))
    .join(' ');
}

export function renderMarkdown(content: ReportContent): string {
  const { report } = content;
  const lines: string[] = [`# ${cell(content.title)}`, '', ...summaryLines(report).map((line) => `- ${cell(line)}`), '', '## Results', ''];
  const results = resultsTable(report);
  lines.push(...table(results.header, results.rows), '');
  if (report.comparisons.length > 0) lines.push('## Paired comparisons', '', ...comparisonLines(report).map((line) => `- ${cell(line)}`), '');
  for (const [key, strata] of Object.entries(report.strata)) {
    const models = Object.keys(report.models);
    const metrics = [...new Set(Object.values(strata).flatMap((stratum) => Object.values(stratum.metrics).flatMap((values) => Object.keys(values))))];
    lines.push(`## By ${cell(key)}`, '');
    const header = [key, 'n', ...models.flatMap((model) => metrics.map((metric) => `${model} ${metric}`))];
    const rows = Object.entries(strata).map(([name, stratum]) => [name, String(stratum.n), ...models.flatMap((model) => metrics.map((metric) => ((stratum.metrics[model]?.[metric] ?? NaN) * 100).toFixed(1)))]);
    lines.push(...table(header, rows), '');
  }
  if (content.earlier.funnel) {
    const funnel = content.earlier.funnel;
    lines.push('## Curation funnel', '', ...table(['step', 'kept', 'dropped'], [['raw', String(funnel.raw), ''], ...funnel.steps.map((step) => [step.filter, String(step.kept), String(step.dropped)])]), '');
  }
  if (content.earlier.losses) {
    const losses = content.earlier.losses;
    const count = Math.max(losses.train.length, losses.valid.length);
    const rows = Array.from({ length: count }, (_, index) => [String(index + 1), losses.train[index]?.toFixed(4) ?? '', losses.valid[index]?.toFixed(4) ?? '']);
    lines.push('## Loss curves', '', ...table([losses.unit, 'train_loss', 'valid_loss'], rows), '');
  }
  if (report.unparsable_verdicts.length > 0) {
    lines.push('## Unparsable judge verdicts (counted invalid)', '', ...table(['input', 'prediction', 'reply'], report.unparsable_verdicts.map((entry) => [entry.input, entry.prediction, entry.error ?? entry.reply])), '');
  }
  if (content.examples.length > 0) {
    lines.push('## Examples', '', 'Each output is shown against the input: **added** and ~~removed~~ words.', '');
    for (const example of content.examples) {
      lines.push(`### ${cell(example.id)}`, '', `- input: ${cell(example.input)}`);
      for (const reference of example.references.slice(0, 2)) lines.push(`- reference: ${cell(reference)}`);
      for (const output of example.outputs) {
        const mark = output.correct === undefined ? '' : output.correct ? ' ✓' : ' ✗';
        lines.push(`- ${cell(output.model)}${mark}: ${markdownDiff(example.input, output.output)}`);
      }
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
