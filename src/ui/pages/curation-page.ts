import { escapeHtml } from '../../report/escape-html.js';
import { funnelChart } from '../../report/funnel-chart.js';
import { htmlTable, page, runHref, withQuery } from '../html-page.js';
import type { RunSnapshot } from '../run-snapshot.js';
import { funnelNumbers } from './overview-page.js';

/** The funnel as a chart and a table whose steps link to what they dropped, and the dropped rows' reasons. */
export function curationPage(snapshot: RunSnapshot, reasons: { value: string; count: number }[]): string {
  const run = snapshot.entry.name;
  const dropped = runHref(run, '/data/dropped');
  const parts = ['<h1>Curation</h1>'];
  if (snapshot.funnel) parts.push(`<p class="muted">Click a step to list what it dropped.</p><div data-testid="funnel-chart">${funnelChart(snapshot.funnel, (filter) => withQuery(dropped, { step: filter }))}</div>`);
  parts.push(funnelNumbers(snapshot));
  if (reasons.length > 0) {
    parts.push('<h2>Dropped rows by reason</h2>', htmlTable(['reason', 'rows'], reasons.map((reason) => [`<a href="${escapeHtml(withQuery(dropped, { reason: reason.value }))}">${escapeHtml(reason.value)}</a>`, String(reason.count)])));
  }
  return page({ title: `Curation · ${run}`, run, active: 'curation', body: parts.join('\n') });
}
