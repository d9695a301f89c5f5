import { colorAt, linearScale, svgDocument, svgLine, svgRect, svgText } from '../report/svg-elements.js';

const BINS = 24;

/**
 * Latency histograms, one row per model on a shared millisecond axis (so a slow teacher and a fast student
 * are comparable at a glance); every bar carries its count in `data-count`.
 */
export function latencyHistogram(rows: { label: string; samples: number[] }[]): string {
  const width = 720;
  const left = 110;
  const right = width - 20;
  const rowHeight = 70;
  const height = 50 + rows.length * rowHeight;
  const highest = Math.max(1, ...rows.flatMap((row) => row.samples));
  const binWidth = highest / BINS;
  const x = linearScale(0, highest, left, right);
  const body: string[] = [svgText(left, 16, `Latency histograms (ms, ${BINS} bins of ${binWidth.toFixed(0)} ms)`, 'font-weight="600"')];
  for (const tick of [0, highest / 2, highest]) body.push(svgLine(x(tick), 24, x(tick), height - 16, '#e5e7eb'), svgText(x(tick), height - 4, tick.toFixed(0), 'text-anchor="middle" fill="#6b7280"'));
  rows.forEach((row, index) => {
    const counts = new Array<number>(BINS).fill(0);
    for (const sample of row.samples) counts[Math.min(BINS - 1, Math.floor(sample / binWidth))]!++;
    const tallest = Math.max(1, ...counts);
    const base = 30 + (index + 1) * rowHeight - 8;
    body.push(svgText(left - 8, base - 4, `${row.label} (${row.samples.length})`, 'text-anchor="end"'));
    body.push(`<g class="histogram" data-model="${row.label.replace(/[^\w-]/g, '_')}">`);
    counts.forEach((count, bin) => {
      if (count === 0) return;
      const barHeight = ((rowHeight - 14) * count) / tallest;
      body.push(svgRect(x(bin * binWidth) + 0.5, base - barHeight, x(binWidth) - x(0) - 1, barHeight, colorAt(index)).replace('<rect ', `<rect data-count="${count}" `));
    });
    body.push('</g>', svgLine(left, base, right, base, '#9ca3af'));
  });
  return svgDocument(width, height, 'Latency histograms', body);
}
