import { escapeHtml } from '../../report/escape-html.js';
import { formatCost, formatSeconds, htmlTable } from '../html-page.js';
import type { RunSnapshot, StageView } from '../run-snapshot.js';

function figuresText(figures: Record<string, unknown>): string {
  return Object.entries(figures)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .slice(0, 8)
    .map(([key, value]) => `${key}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : String(value)}`)
    .join(' ');
}

function progressText(stage: StageView): string {
  const progress = stage.progress;
  if (progress === null) return '';
  const share = progress.total ? ` (${((progress.done / progress.total) * 100).toFixed(0)}%)` : '';
  return `${progress.done}${progress.total ? `/${progress.total}` : ''} ${progress.unit}${share}`;
}

/** The stage timeline and the cost ledger: the part of the overview that refreshes while a run goes. */
export function timelineSection(snapshot: RunSnapshot): string {
  const running = snapshot.stages.some((stage) => stage.state === 'running');
  const rows = snapshot.stages.map((stage) => [
    escapeHtml(stage.name),
    `<span class="state-${stage.state}">${stage.state}</span>`,
    escapeHtml(stage.startedAt ?? ''),
    formatSeconds(stage.seconds),
    escapeHtml(stage.state === 'running' ? progressText(stage) : figuresText(stage.figures)),
    escapeHtml(stage.error ?? ''),
  ]);
  const ledger = snapshot.ledger.map((line) => [
    escapeHtml(line.stage),
    escapeHtml(line.purpose),
    escapeHtml(line.model),
    String(line.requests),
    `${line.promptTokens}+${line.completionTokens}`,
    formatCost(line.cost),
  ]);
  return `<section id="timeline" data-running="${running}"><h2>Stages</h2>${htmlTable(['stage', 'state', 'started', 'time', 'progress / figures', 'error'], rows, 'data-testid="stages"')}
<h2>Cost ledger</h2>${ledger.length === 0 ? '<p class="muted">No charges.</p>' : htmlTable(['stage', 'purpose', 'model', 'requests', 'tokens', 'cost'], ledger)}<p>Total cost <strong data-testid="total-cost">${formatCost(snapshot.totalCost)}</strong></p></section>`;
}

/**
 * Replaces the timeline with a fresh copy every two seconds while the page is open; the fragment comes from
 * the same server, so the page still works offline (and without script, by reloading).
 */
export function liveRefreshScript(fragmentUrl: string): string {
  return `(function(){var url=${JSON.stringify(fragmentUrl)};function tick(){fetch(url,{cache:'no-store'}).then(function(r){return r.ok?r.text():null}).then(function(html){if(html!==null){var el=document.getElementById('timeline');if(el)el.outerHTML=html;}}).catch(function(){}).finally(function(){setTimeout(tick,2000)});}setTimeout(tick,2000);})();`;
}
