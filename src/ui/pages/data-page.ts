import { escapeHtml } from '../../report/escape-html.js';
import type { DataKind } from '../data-kinds.js';
import type { RunFiles } from '../run-files.js';
import { htmlTable, page, pager, runHref, withQuery } from '../html-page.js';

export interface DataPageContent {
  run: string;
  kind: DataKind;
  kinds: DataKind[];
  filter: { q: string; reason: string; step: string };
  /** Reasons with counts (dropped rows only). */
  reasons: { value: string; count: number }[] | undefined;
  rows: Record<string, unknown>[];
  rowNumbers: number[];
  total: number;
  page: number;
  pageSize: number;
  fileExists: boolean;
  files: RunFiles;
}

/** A data file as a paged, searchable table; dropped rows with reason chips and a reason filter. */
export function dataPage(content: DataPageContent): string {
  const path = runHref(content.run, `/data/${content.kind.name}`);
  const parameters = { q: content.filter.q, reason: content.filter.reason, step: content.filter.step };
  const tabs = content.kinds.map((kind) => `<a href="${runHref(content.run, `/data/${kind.name}`)}" class="${kind.name === content.kind.name ? 'active' : ''}">${escapeHtml(kind.title)}</a>`).join('');
  const reasonSelect = content.reasons
    ? `<label>reason <select name="reason" data-testid="reason-filter"><option value="">all</option>${content.reasons
        .map((reason) => `<option value="${escapeHtml(reason.value)}"${reason.value === content.filter.reason ? ' selected' : ''}>${escapeHtml(reason.value)} (${reason.count})</option>`)
        .join('')}</select></label>`
    : '';
  const chips = content.reasons
    ? `<p class="chips">${content.reasons.map((reason) => `<a href="${escapeHtml(withQuery(path, { reason: reason.value }))}" class="${reason.value === content.filter.reason ? 'active' : ''}">${escapeHtml(reason.value)} ${reason.count}</a>`).join('')}</p>`
    : '';
  const step = content.filter.step ? `<input type="hidden" name="step" value="${escapeHtml(content.filter.step)}"><span>dropped by step <strong>${escapeHtml(content.filter.step)}</strong></span>` : '';
  const form = `<form class="filters" method="get" action="${path}" data-testid="filters"><input type="search" name="q" value="${escapeHtml(content.filter.q)}" placeholder="search" data-testid="search">${reasonSelect}${step}<button type="submit">Filter</button></form>`;
  const table = content.fileExists
    ? htmlTable(['#', ...content.kind.header], content.rows.map((row, index) => [String(content.rowNumbers[index]! + 1), ...content.kind.cells(row, content.files)]), 'data-testid="rows"')
    : `<p class="muted">No ${escapeHtml(content.kind.title.toLowerCase())} yet.</p>`;
  const body = `<p class="chips">${tabs}</p><h1>${escapeHtml(content.kind.title)}</h1>${chips}${form}${pager(path, parameters, content.page, content.pageSize, content.total)}${table}${pager(path, parameters, content.page, content.pageSize, content.total)}`;
  return page({ title: `${content.kind.title} · ${content.run}`, run: content.run, active: 'data', body });
}
