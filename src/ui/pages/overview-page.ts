import { escapeHtml } from '../../report/escape-html.js';
import { funnelChart } from '../../report/funnel-chart.js';
import { htmlTable, page, runHref, verdictBadge } from '../html-page.js';
import type { RunSnapshot } from '../run-snapshot.js';
import { liveRefreshScript, timelineSection } from './timeline-section.js';

/** Transfer ratio with its interval, or a dash. */
export function transferText(snapshot: RunSnapshot): string {
  const ratio = snapshot.report?.transfer_ratio;
  if (!ratio) return '–';
  return `${ratio.value.toFixed(3)}${ratio.ci95 ? ` [${ratio.ci95[0].toFixed(3)}, ${ratio.ci95[1].toFixed(3)}]` : ''}`;
}

export function funnelNumbers(snapshot: RunSnapshot): string {
  const funnel = snapshot.funnel;
  if (!funnel) return '<p class="muted">No curation funnel yet.</p>';
  const rows = [
    ['raw', `<span data-testid="funnel-raw">${funnel.raw}</span>`, '', ''],
    ...funnel.steps.map((step) => [
      escapeHtml(step.filter),
      `<span data-testid="funnel-kept">${step.kept}</span>`,
      `<span data-testid="funnel-dropped">${step.dropped}</span>`,
      step.dropped > 0 ? `<a href="${runHref(snapshot.entry.name, `/data/dropped?step=${encodeURIComponent(step.filter)}`)}">what it dropped</a>` : '',
    ]),
    ['kept', `<span data-testid="funnel-final">${funnel.kept}</span>`, '', ''],
  ];
  return htmlTable(['step', 'kept', 'dropped', ''], rows, 'data-testid="funnel"');
}

/** A run's first page: verdict, transfer ratio, cost, stages (live) and the funnel's numbers. */
export function overviewPage(snapshot: RunSnapshot): string {
  const name = snapshot.entry.name;
  const report = snapshot.report;
  const verdict = report ? verdictBadge(report.verdict.label, report.verdict.reason) : '<p class="verdict" data-testid="verdict">No evaluation yet.</p>';
  const body = [
    `<h1>${escapeHtml(name)}</h1>`,
    verdict,
    `<p>Transfer ratio <strong data-testid="transfer-ratio">${escapeHtml(transferText(snapshot))}</strong> · directory <code>${escapeHtml(snapshot.entry.dir)}</code></p>`,
    timelineSection(snapshot),
    '<h2>Curation funnel</h2>',
    funnelNumbers(snapshot),
    snapshot.funnel ? funnelChart(snapshot.funnel, (filter) => runHref(name, `/data/dropped?step=${encodeURIComponent(filter)}`)) : '',
  ];
  return page({ title: name, run: name, active: 'overview', body: body.join('\n'), script: liveRefreshScript(runHref(name, '/timeline')) });
}
