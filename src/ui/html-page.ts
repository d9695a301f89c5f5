import { escapeHtml } from '../report/escape-html.js';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#111827;background:#fff}
header{background:#111827;color:#f9fafb;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#e5e7eb;text-decoration:none}header a.active{color:#fff;font-weight:600;text-decoration:underline}
main{max-width:1200px;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.75rem 0;font-size:13px}th,td{border:1px solid #d1d5db;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.text{max-width:420px;white-space:pre-wrap;word-break:break-word}
.verdict{font-size:1.15rem;padding:.5rem .9rem;border-radius:6px;background:#f3f4f6;display:inline-block}
.viable{background:#dcfce7}.marginal{background:#fef9c3}.not-ready{background:#fee2e2}
.state-done{color:#16a34a}.state-failed{color:#dc2626}.state-running{color:#2563eb;font-weight:600}.state-stale{color:#9ca3af}.state-pending{color:#9ca3af}
ins{background:#dcfce7;text-decoration:none}del{background:#fee2e2}.ok{color:#16a34a}.bad{color:#dc2626}
form.filters{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}
.pager{display:flex;gap:.75rem;align-items:center;margin:.5rem 0}.muted{color:#6b7280}
.chips a{display:inline-block;margin:2px;padding:2px 8px;border-radius:10px;background:#eef2ff;text-decoration:none;color:#1e3a8a}
.chips a.active{background:#1e3a8a;color:#fff}code{background:#f3f4f6;padding:1px 4px}details summary{cursor:pointer;color:#6b7280}`;

export interface PageFrame {
  title: string;
  /** The run the page is about: its name fills the navigation; absent on the runs list. */
  run?: string;
  active: string;
  body: string;
  /** A small inline script (the page works without it; it only adds live refresh). */
  script?: string;
  /** Reload the whole page every so many seconds (a page about something still running). */
  refreshSeconds?: number;
}

const RUN_PAGES: [string, string][] = [
  ['overview', ''],
  ['data', '/data/outputs'],
  ['curation', '/curation'],
  ['training', '/training'],
  ['evaluation', '/evaluation'],
  ['serving', '/serving'],
];

export function runHref(run: string, suffix = ''): string {
  return `/runs/${encodeURIComponent(run)}${suffix}`;
}

/** A whole page: inline style, no external reference (works offline), every text escaped by the callers. */
export function page(frame: PageFrame): string {
  const links = [`<a href="/" class="${frame.active === 'runs' ? 'active' : ''}">Runs</a>`];
  if (frame.run !== undefined) {
    links.push(`<strong>${escapeHtml(frame.run)}</strong>`);
    for (const [name, suffix] of RUN_PAGES) links.push(`<a href="${runHref(frame.run, suffix)}" class="${frame.active === name ? 'active' : ''}">${name}</a>`);
  }
  const script = frame.script ? `<script>${frame.script}</script>` : '';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${frame.refreshSeconds ? `<meta http-equiv="refresh" content="${Math.max(1, Math.round(frame.refreshSeconds))}">` : ''}<title>${escapeHtml(frame.title)} · Distillery</title><style>${STYLE}</style></head><body><header><span>⚗ Distillery</span>${links.join('')}</header><main>${frame.body}</main>${script}</body></html>\n`;
}

/** A table of cells that are already HTML (callers escape text). */
export function htmlTable(header: string[], rows: string[][], attributes = ''): string {
  const head = `<tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`;
  return `<table ${attributes}>${head}${rows.map((row) => `<tr>${row.map((cell) => (cell.startsWith('<td') ? cell : `<td>${cell}</td>`)).join('')}</tr>`).join('')}</table>`;
}

/** A long text cell: escaped, wrapped. */
export function textCell(text: string): string {
  return `<td class="text">${escapeHtml(text)}</td>`;
}

/** A URL with query parameters; empty values are left out. */
export function withQuery(path: string, parameters: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) if (value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Previous / next links and where the page is: `rows 51–100 of 100,000`. */
export function pager(path: string, parameters: Record<string, string | number | undefined>, page: number, pageSize: number, total: number): string {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const previous = page > 1 ? `<a href="${escapeHtml(withQuery(path, { ...parameters, page: page - 1 }))}" rel="prev">← previous</a>` : '';
  const next = page < pages ? `<a href="${escapeHtml(withQuery(path, { ...parameters, page: page + 1 }))}" rel="next">next →</a>` : '';
  return `<div class="pager">${previous}<span class="page-position">rows ${first.toLocaleString('en')}–${last.toLocaleString('en')} of <span class="total">${total.toLocaleString('en')}</span></span> <span class="muted">page ${page} of ${pages}</span>${next}</div>`;
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.round((seconds % 3600) / 60)}m`;
}

export function formatCost(cost: number): string {
  return `$${cost.toFixed(4)}`;
}

export function verdictBadge(label: string, reason: string): string {
  return `<p class="verdict ${escapeHtml(label.replace(' ', '-'))}" data-testid="verdict"><strong>${escapeHtml(label)}</strong> — ${escapeHtml(reason)}</p>`;
}
