/** One line of `distillery doctor`: what was looked at, what was found, and what to do when it is missing. */
export interface DoctorCheck {
  area: 'keys' | 'engines' | 'hardware' | 'disk' | 'endpoints';
  name: string;
  status: 'ok' | 'missing' | 'warn' | 'info';
  detail: string;
  fix?: string;
}

/** The checks as an aligned text table, then the fixes, numbered, for everything not ok. */
export function doctorTable(checks: DoctorCheck[]): string {
  const rows = checks.map((check, index) => [check.area, check.name, check.status, check.detail, check.fix ? `(${fixNumber(checks, index)})` : '']);
  const header = ['area', 'check', 'status', 'found', 'fix'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const out = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
  const fixes = checks.filter((check) => check.fix);
  if (fixes.length > 0) out.push('', 'what to do:', ...fixes.map((check, index) => `  (${index + 1}) ${check.name}: ${check.fix}`));
  return `${out.join('\n')}\n`;
}

function fixNumber(checks: DoctorCheck[], index: number): number {
  return checks.slice(0, index + 1).filter((check) => check.fix).length;
}
