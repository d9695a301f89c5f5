import { escapeHtml } from './escape-html.js';

/** Small builders for inline SVG; every text passes through escapeHtml, every number is finite. */

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

export function colorAt(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export function number(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '0';
}

export function svgText(x: number, y: number, text: string, attributes = ''): string {
  return `<text x="${number(x)}" y="${number(y)}" ${attributes}>${escapeHtml(text)}</text>`;
}

export function svgLine(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1): string {
  return `<line x1="${number(x1)}" y1="${number(y1)}" x2="${number(x2)}" y2="${number(y2)}" stroke="${stroke}" stroke-width="${width}"/>`;
}

export function svgRect(x: number, y: number, width: number, height: number, fill: string): string {
  return `<rect x="${number(x)}" y="${number(y)}" width="${number(Math.max(0, width))}" height="${number(Math.max(0, height))}" fill="${fill}"/>`;
}

export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}" font-family="system-ui, sans-serif" font-size="12"><title>${escapeHtml(title)}</title>${body.join('')}</svg>`;
}

/** A linear scale from [low, high] onto [start, end]; a zero-width domain maps to the middle. */
export function linearScale(low: number, high: number, start: number, end: number): (value: number) => number {
  if (!(high > low)) return () => (start + end) / 2;
  return (value) => start + ((value - low) / (high - low)) * (end - start);
}
