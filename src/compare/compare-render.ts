import { escapeHtml, escapeHtmlContent } from '../report/escape-html.js';
import { htmlPage, htmlTable } from '../report/html-report.js';
import { intervalPlot } from '../report/interval-plot.js';
import { table } from '../report/markdown-report.js';
import type { CompareReport } from './compare-report-schema.js';
import { methodsTable, pairedTable, summaryOf, type Table } from './compare-tables.js';

const markdownTable = (t: Table): string => table(t.header, t.rows).join('\n');

const title = (report: CompareReport) => `Distillery comparison of training methods: ${report.name}`;
const pairedIntro = (report: CompareReport) =>
  `Each method minus ${report.against} on the same ${report.items} items: the difference in points with its paired-bootstrap 95% interval (an interval that contains 0 is no evidence of a difference), and McNemar's exact test on the items only one of the two got right.`;

/** `report.md` of a compare run. */
export function compareMarkdown(report: CompareReport): string {
  return [
    `# ${title(report)}`,
    '',
    ...summaryOf(report).map((line) => `- ${escapeHtmlContent(line)}`),
    '',
    '## Methods',
    '',
    markdownTable(methodsTable(report)),
    '',
    `## Paired comparisons with ${report.against}`,
    '',
    pairedIntro(report),
    '',
    report.paired.length === 0 ? '(one variant: nothing to compare)' : markdownTable(pairedTable(report)),
    '',
    'Each variant\'s full evaluation report is `variants/<name>/report.md`.',
    '',
  ].join('\n');
}

/** `report.html` of a compare run: the same tables, and the intervals plotted. */
export function compareHtml(report: CompareReport): string {
  const rows = [
    ...Object.entries(report.references).map(([name, metric]) => ({ label: name, value: metric.value, ci95: metric.ci95 })),
    ...report.variants.map((row) => ({ label: row.name, value: row.metric.value, ci95: row.metric.ci95 })),
  ];
  const methods = methodsTable(report);
  const paired = pairedTable(report);
  return htmlPage(title(report), `
<h1>${escapeHtml(title(report))}</h1>
<ul>${summaryOf(report).map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
<h2>Methods</h2>
${htmlTable(methods.header, methods.rows)}
${intervalPlot(`${report.primary_metric} (95% CI)`, rows)}
<h2>Paired comparisons with ${escapeHtml(report.against)}</h2>
<p>${escapeHtml(pairedIntro(report))}</p>
${report.paired.length === 0 ? '<p>(one variant: nothing to compare)</p>' : htmlTable(paired.header, paired.rows)}
<p>Each variant's full evaluation report is <code>variants/&lt;name&gt;/report.html</code>.</p>
`);
}
