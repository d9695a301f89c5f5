import { escapeHtml } from '../../report/escape-html.js';
import { htmlTable, page, pager, runHref, textCell } from '../html-page.js';
import { requestsChart } from '../requests-chart.js';
import type { RunEntry } from '../run-catalog.js';
import type { ServingView } from '../serving-view.js';
import { shellQuote } from '../shell-quote.js';

/** The gateway's traffic: requests over time, fallbacks by reason, the inputs that fell back and how to export them. */
export function servingPage(entry: RunEntry, view: ServingView, pageNumber = 1, pageSize = 50): string {
  const parts = ['<h1>Serving</h1>'];
  if (!view.logged || view.total === 0) {
    parts.push('<p class="muted">No request logged: <code>distillery serve</code> logs every request it answers here.</p>');
  } else {
    parts.push(`<p><strong data-testid="served-total">${view.total}</strong> requests, <strong data-testid="fallback-total">${view.fellBackTotal}</strong> answered by the fallback.</p>`);
    parts.push(requestsChart(view.perMinute));
    parts.push('<h2>Fallbacks by reason</h2>', htmlTable(['reason', 'requests'], view.fallbacks.map((row) => [escapeHtml(row.reason), String(row.count)]), 'data-testid="fallback-reasons"'));
    parts.push('<h2>Inputs that fell back</h2>', `<p>Export them for the next round: <code data-testid="capture-command">distillery capture --run-dir ${escapeHtml(shellQuote(entry.dir))} --only fallback --out captured.jsonl</code></p>`);
    parts.push(`<p class="muted">Distinct inputs, those the student failed on (error, timeout, verifier) first.</p>`, pager(runHref(entry.name, '/serving'), {}, pageNumber, pageSize, view.capturedTotal));
    parts.push(
      htmlTable(
        ['input', 'requests', 'reasons', 'student said', 'fallback answered', 'last seen'],
        view.captured.map((row) => [textCell(row.input), String(row.requests), escapeHtml(row.fallback_reasons.join(', ')), textCell(row.student_output ?? ''), textCell(row.fallback_output ?? ''), escapeHtml(row.last_seen)]),
        'data-testid="fell-back"',
      ),
    );
  }
  return page({ title: `Serving · ${entry.name}`, run: entry.name, active: 'serving', body: parts.join('\n') });
}
