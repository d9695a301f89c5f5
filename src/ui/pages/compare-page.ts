import { escapeHtml } from '../../report/escape-html.js';
import { formatCost, htmlTable, page, runHref } from '../html-page.js';
import type { RunSnapshot } from '../run-snapshot.js';
import { transferText } from './overview-page.js';

const points = (value: number | undefined): string => (value === undefined ? '–' : (value * 100).toFixed(1));

/** Two runs side by side: every model and metric both reports have, with B − A in points. */
export function comparePage(left: RunSnapshot, right: RunSnapshot): string {
  const [a, b] = [left.report, right.report];
  const rows: string[][] = [];
  const models = [...new Set([...Object.keys(a?.models ?? {}), ...Object.keys(b?.models ?? {})])];
  for (const model of models) {
    const metrics = [...new Set([...Object.keys(a?.models[model]?.metrics ?? {}), ...Object.keys(b?.models[model]?.metrics ?? {})])];
    for (const metric of metrics) {
      const first = a?.models[model]?.metrics[metric]?.value;
      const second = b?.models[model]?.metrics[metric]?.value;
      const delta = first === undefined || second === undefined ? '–' : `${second - first >= 0 ? '+' : ''}${((second - first) * 100).toFixed(1)}`;
      rows.push([escapeHtml(model), escapeHtml(metric), points(first), points(second), delta]);
    }
  }
  const summary = htmlTable(
    ['', left.entry.name, right.entry.name],
    [
      ['verdict', escapeHtml(a?.verdict.label ?? '–'), escapeHtml(b?.verdict.label ?? '–')],
      ['transfer ratio', escapeHtml(transferText(left)), escapeHtml(transferText(right))],
      ['student', escapeHtml(a?.models.student?.model_id ?? '–'), escapeHtml(b?.models.student?.model_id ?? '–')],
      ['student p50 ms', escapeHtml(a?.models.student?.latency_ms?.p50.toFixed(0) ?? '–'), escapeHtml(b?.models.student?.latency_ms?.p50.toFixed(0) ?? '–')],
      ['cost', formatCost(left.totalCost), formatCost(right.totalCost)],
    ],
  );
  const link = (snapshot: RunSnapshot) => `<a href="${runHref(snapshot.entry.name)}">${escapeHtml(snapshot.entry.name)}</a>`;
  const body = `<h1>${link(left)} vs ${link(right)}</h1>${summary}<h2>Metrics (points, B − A)</h2>${htmlTable(['model', 'metric', `A: ${left.entry.name}`, `B: ${right.entry.name}`, 'B − A'], rows, 'data-testid="deltas"')}`;
  return page({ title: `${left.entry.name} vs ${right.entry.name}`, active: 'runs', body });
}
