import { escapeHtml } from '../../report/escape-html.js';
import { formatCost, formatSeconds, htmlTable, page, runHref } from '../html-page.js';
import type { RunSnapshot } from '../run-snapshot.js';
import { transferText } from './overview-page.js';

/** Every run: stages with state and time, verdict, transfer ratio, cost; and a form to compare two. */
export function runsPage(snapshots: RunSnapshot[]): string {
  const rows = snapshots.map((snapshot) => [
    `<a href="${runHref(snapshot.entry.name)}">${escapeHtml(snapshot.entry.name)}</a>`,
    snapshot.stages
      .filter((stage) => stage.state !== 'pending')
      .map((stage) => `<span class="state-${stage.state}">${escapeHtml(stage.name)} ${stage.state}${stage.seconds === null ? '' : ` ${formatSeconds(stage.seconds)}`}</span>`)
      .join('<br>'),
    escapeHtml(snapshot.report?.verdict.label ?? '–'),
    escapeHtml(transferText(snapshot)),
    formatCost(snapshot.totalCost),
  ]);
  const options = snapshots.map((snapshot) => `<option>${escapeHtml(snapshot.entry.name)}</option>`).join('');
  const compare =
    snapshots.length >= 2
      ? `<h2>Compare two runs</h2><form action="/compare" method="get" class="filters"><select name="a">${options}</select> vs <select name="b">${options}</select><button type="submit">Compare</button></form>`
      : '';
  const body = `<h1>Runs</h1>${snapshots.length === 0 ? '<p>No run directories found.</p>' : htmlTable(['run', 'stages', 'verdict', 'transfer ratio', 'cost'], rows, 'data-testid="runs"')}${compare}`;
  return page({ title: 'Runs', active: 'runs', body });
}
