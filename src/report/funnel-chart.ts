import type { CurationFunnel } from './earlier-stages.js';
import { escapeHtml } from './escape-html.js';
import { linearScale, svgDocument, svgRect, svgText } from './svg-elements.js';

/**
 * The curation funnel: raw rows, then what each filter kept, as bars on one scale. With `linkOf`, a step's
 * row is a link (the dashboard lists what that step dropped).
 */
export function funnelChart(funnel: CurationFunnel, linkOf?: (filter: string) => string | undefined): string {
  const rows = [{ label: 'raw', kept: funnel.raw, dropped: 0 }, ...funnel.steps.map((step) => ({ label: step.filter, kept: step.kept, dropped: step.dropped }))];
  const width = 640;
  const left = 160;
  const rowHeight = 24;
  const height = 30 + rows.length * rowHeight;
  const x = linearScale(0, Math.max(1, funnel.raw), 0, width - left - 120);
  const body: string[] = [svgText(left, 14, `Curation funnel: ${funnel.raw} → ${funnel.kept} kept`, 'font-weight="600"')];
  rows.forEach((row, index) => {
    const y = 24 + index * rowHeight;
    const parts = [
      svgText(left - 8, y + 13, row.label, 'text-anchor="end"'),
      svgRect(left, y, x(row.kept), 16, '#2563eb'),
      svgText(left + x(row.kept) + 6, y + 13, row.dropped > 0 ? `${row.kept} (−${row.dropped})` : String(row.kept)),
    ];
    const link = index > 0 && row.dropped > 0 ? linkOf?.(row.label) : undefined;
    body.push(link === undefined ? parts.join('') : `<a href="${escapeHtml(link)}" data-step="${escapeHtml(row.label)}">${parts.join('')}</a>`);
  });
  return svgDocument(width, height, 'Curation funnel', body);
}
