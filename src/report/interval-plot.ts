import { colorAt, linearScale, number, svgDocument, svgLine, svgText } from './svg-elements.js';

export interface IntervalRow {
  label: string;
  value: number;
  ci95: [number, number] | null;
}

/** One row per model: the estimate as a dot, its 95% interval as a whisker; values shown on a 0-100 scale. */
export function intervalPlot(title: string, rows: IntervalRow[]): string {
  const width = 640;
  const left = 140;
  const right = width - 70;
  const rowHeight = 28;
  const height = 40 + rows.length * rowHeight;
  const values = rows.flatMap((row) => [row.value, ...(row.ci95 ?? [])]).filter(Number.isFinite);
  const low = Math.max(0, Math.floor(Math.min(...values, 1) * 20) / 20 - 0.05);
  const high = Math.min(1, Math.ceil(Math.max(...values, 0) * 20) / 20 + 0.05);
  const x = linearScale(low, high, left, right);
  const body: string[] = [svgText(left, 16, title, 'font-weight="600"')];
  for (const tick of [low, (low + high) / 2, high]) {
    body.push(svgLine(x(tick), 24, x(tick), height - 8, '#e5e7eb'), svgText(x(tick), height, number(tick * 100), 'text-anchor="middle" fill="#6b7280"'));
  }
  rows.forEach((row, index) => {
    const y = 36 + index * rowHeight;
    const color = colorAt(index);
    body.push(svgText(left - 8, y + 4, row.label, 'text-anchor="end"'));
    if (row.ci95) body.push(svgLine(x(row.ci95[0]), y, x(row.ci95[1]), y, color, 2));
    body.push(`<circle cx="${number(x(row.value))}" cy="${number(y)}" r="5" fill="${color}"/>`);
    body.push(svgText(right + 8, y + 4, number(row.value * 100), `fill="${color}"`));
  });
  return svgDocument(width, height + 6, title, body);
}
