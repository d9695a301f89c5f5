import { colorAt, linearScale, svgDocument, svgRect, svgText } from '../report/svg-elements.js';

/** Requests per minute as stacked bars: answered by the student, by the fallback. */
export function requestsChart(perMinute: { minute: string; student: number; fallback: number }[]): string {
  const width = 720;
  const height = 220;
  const [left, right, top, bottom] = [50, width - 20, 28, height - 30];
  const highest = Math.max(1, ...perMinute.map((row) => row.student + row.fallback));
  const y = linearScale(0, highest, 0, bottom - top);
  const slot = (right - left) / Math.max(1, perMinute.length);
  const body: string[] = [svgText(left, 16, 'Requests per minute: student (blue), fallback (red)', 'font-weight="600"'), svgText(left - 6, top + 4, String(highest), 'text-anchor="end" fill="#6b7280"')];
  perMinute.forEach((row, index) => {
    const x = left + index * slot;
    const barWidth = Math.max(1, slot - 2);
    body.push(svgRect(x, bottom - y(row.student), barWidth, y(row.student), colorAt(0)));
    body.push(svgRect(x, bottom - y(row.student) - y(row.fallback), barWidth, y(row.fallback), colorAt(1)));
  });
  if (perMinute.length > 0) {
    body.push(svgText(left, bottom + 16, perMinute[0]!.minute.replace('T', ' '), 'fill="#6b7280"'));
    body.push(svgText(right, bottom + 16, perMinute.at(-1)!.minute.replace('T', ' '), 'text-anchor="end" fill="#6b7280"'));
  }
  return svgDocument(width, height, 'Requests per minute', body);
}
