import { colorAt, linearScale, svgDocument, svgLine, svgRect, svgText } from './svg-elements.js';

export interface LatencyRow {
  label: string;
  /** Every request's latency in ms. */
  samples: number[];
  p50: number;
  p95: number;
  p99: number;
}

/** Latency distribution per model: each request as a tick, p50–p95 as a box, p99 as a bar; shared ms axis. */
export function latencyChart(rows: LatencyRow[]): string {
  const width = 640;
  const left = 140;
  const right = width - 20;
  const rowHeight = 34;
  const height = 44 + rows.length * rowHeight;
  const maximum = Math.max(1, ...rows.map((row) => row.p99), ...rows.flatMap((row) => row.samples));
  const x = linearScale(0, maximum, left, right);
  const body: string[] = [svgText(left, 16, 'Latency per request (ms): ticks = requests, box = p50–p95, bar = p99', 'font-weight="600"')];
  for (const tick of [0, maximum / 2, maximum]) {
    body.push(svgLine(x(tick), 24, x(tick), height - 14, '#e5e7eb'), svgText(x(tick), height - 2, tick.toFixed(0), 'text-anchor="middle" fill="#6b7280"'));
  }
  rows.forEach((row, index) => {
    const y = 40 + index * rowHeight;
    const color = colorAt(index);
    body.push(svgText(left - 8, y + 4, row.label, 'text-anchor="end"'));
    for (const sample of row.samples.slice(0, 2000)) body.push(svgLine(x(sample), y - 10, x(sample), y - 6, color, 0.5));
    body.push(svgRect(x(row.p50), y - 4, x(row.p95) - x(row.p50), 8, color));
    body.push(svgLine(x(row.p99), y - 6, x(row.p99), y + 6, color, 2));
  });
  return svgDocument(width, height, 'Latency distribution', body);
}
