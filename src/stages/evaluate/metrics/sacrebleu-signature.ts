/** The sacrebleu release whose figures these implementations were checked against; signatures name it. */
export const SACREBLEU_VERSION = '2.6.0';

/**
 * A sacrebleu signature: `nrefs:4|case:mixed|...|version:2.6.0`, metric fields in sacrebleu's order,
 * version last.
 */
export function formatSignature(references: number, fields: readonly [string, string | number][]): string {
  return [['nrefs', references] as const, ...fields, ['version', SACREBLEU_VERSION] as const]
    .map(([name, value]) => `${name}:${value}`)
    .join('|');
}
