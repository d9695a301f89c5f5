import { colorAt, linearScale, number, svgDocument, svgLine, svgText } from '../report/svg-elements.js';

export interface StepLossSeries {
  name: string;
  points: { step: number; loss: number }[];
}

/**
 * Loss against step on a true step axis (validation is logged at fewer steps than training loss): a line and a
 * dot per logged point, and the chosen checkpoint as a dashed vertical line.
 */
export function stepLossChart(series: StepLossSeries[], chosen: { id: string; step: number } | null): string {
  const width = 720;
  const height = 280;
  const [left, right, top, bottom] = [60, width - 120, 28, height - 34];
  const all = series.flatMap((entry) => entry.points);
  const steps = all.map((point) => point.step);
  const losses = all.map((point) => point.loss).filter(Number.isFinite);
  const x = linearScale(Math.min(...steps, chosen?.step ?? Infinity), Math.max(...steps, chosen?.step ?? -Infinity, 1), left, right);
  const high = Math.max(...losses, 1e-9);
  const y = linearScale(Math.min(...losses, 0), high, bottom, top);
  const body: string[] = [
    svgText(left, 16, 'Loss per step', 'font-weight="600"'),
    svgLine(left, bottom, right, bottom, '#9ca3af'),
    svgLine(left, top, left, bottom, '#9ca3af'),
    svgText(left - 6, top + 4, number(high), 'text-anchor="end" fill="#6b7280"'),
    svgText(left - 6, bottom, '0', 'text-anchor="end" fill="#6b7280"'),
    svgText(left, bottom + 18, `step ${Math.min(...steps)}`, 'fill="#6b7280"'),
    svgText(right, bottom + 18, `step ${Math.max(...steps)}`, 'text-anchor="end" fill="#6b7280"'),
  ];
  if (chosen) {
    body.push(`<line x1="${number(x(chosen.step))}" y1="${top}" x2="${number(x(chosen.step))}" y2="${bottom}" stroke="#111827" stroke-dasharray="4 3" data-chosen-step="${chosen.step}"/>`);
    // Labelled on the side with room: left of the line in the right half of the chart (the legend is there).
    const atRight = x(chosen.step) > (left + right) / 2;
    body.push(svgText(x(chosen.step) + (atRight ? -4 : 4), top + 10, `chosen: ${chosen.id} (step ${chosen.step})`, `fill="#111827"${atRight ? ' text-anchor="end"' : ''}`));
  }
  series.forEach((entry, index) => {
    if (entry.points.length === 0) return;
    const color = colorAt(index);
    const path = entry.points.map((point) => `${number(x(point.step))},${number(y(point.loss))}`).join(' ');
    body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    for (const point of entry.points) {
      body.push(`<circle class="point ${entry.name}" cx="${number(x(point.step))}" cy="${number(y(point.loss))}" r="2.5" fill="${color}"><title>${entry.name} step ${point.step}: ${number(point.loss)}</title></circle>`);
    }
    body.push(svgText(right + 8, top + 14 + index * 16, `${entry.name} (${entry.points.length})`, `fill="${color}"`));
  });
  return svgDocument(width, height, 'Loss per step', body);
}
