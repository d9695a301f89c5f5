import { MetricInputError } from './metric-input-error.js';

/** Throws unless there is a reference set and every list has one line per hypothesis. */
export function checkAligned(
  metric: string,
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  sources?: readonly string[],
): void {
  if (references.length === 0) throw new MetricInputError(`${metric} needs at least one reference set`);
  const sourcesDiffer = sources !== undefined && sources.length !== hypotheses.length;
  if (sourcesDiffer || references.some((set) => set.length !== hypotheses.length)) {
    const sourceCount = sources === undefined ? '' : `${sources.length} sources, `;
    const referenceCounts = references.map((set) => set.length).join(', ');
    throw new MetricInputError(
      `${metric} inputs differ in length: ${sourceCount}${hypotheses.length} hypotheses, references ${referenceCounts}`,
    );
  }
}
