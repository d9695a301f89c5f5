import type { LossCurves } from './earlier-stages.js';
import { colorAt, linearScale, number, svgDocument, svgLine, svgText } from './svg-elements.js';

/** Training and validation loss against epoch or step, as two polylines on shared axes. */
export function lossChart(curves: LossCurves): string {
  const width = 640;
  const height = 260;
  const [left, right, top, bottom] = [60, width - 110, 28, height - 30];
  const all = [...curves.train, ...curves.valid].filter(Number.isFinite);
  const points = Math.max(curves.train.length, curves.valid.length);
  const x = linearScale(1, Math.max(2, points), left, right);
  const y = linearScale(Math.min(...all, 0), Math.max(...all, 1e-9), bottom, top);
  const body: string[] = [svgText(left, 16, `Loss per ${curves.unit}`, 'font-weight="600"'), svgLine(left, bottom, right, bottom, '#9ca3af'), svgLine(left, top, left, bottom, '#9ca3af')];
  body.push(svgText(left - 6, top + 4, number(Math.max(...all, 0)), 'text-anchor="end" fill="#6b7280"'), svgText(left - 6, bottom, '0', 'text-anchor="end" fill="#6b7280"'));
  body.push(svgText(right, bottom + 18, `${curves.unit} ${points}`, 'text-anchor="end" fill="#6b7280"'));
  const series: [string, number[]][] = [['train_loss', curves.train], ['valid_loss', curves.valid]];
  series.forEach(([name, values], index) => {
    if (values.length === 0) return;
    const color = colorAt(index);
    const path = values.map((value, position) => `${number(x(position + 1))},${number(y(value))}`).join(' ');
    body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    body.push(svgText(right + 8, top + 14 + index * 16, name, `fill="${color}"`));
  });
  return svgDocument(width, height, 'Loss curves', body);
}
