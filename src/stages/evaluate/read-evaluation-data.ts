import { readTable } from '../../data/tabular.js';
import { DataError } from '../../errors.js';
import { detokenizePunctuation } from './metrics/jfleg-tokenization.js';
import type { EvaluationDataConfig } from './evaluate-config.js';
import type { EvaluationItem } from './evaluation-item.js';
import { lengthBucket } from './length-bucket.js';

/** Reads the evaluation set: every row needs an input, references (string or array) and a label where asked. */
export async function readEvaluationData(path: string, config: EvaluationDataConfig): Promise<EvaluationItem[]> {
  return evaluationItems(readTable(path, config.format), config, path);
}

/** Evaluation items from table rows (a file's, or a named set's); `path` names their source in errors. */
export async function evaluationItems(
  rows: AsyncIterable<{ line: number; value: Record<string, unknown> }> | Iterable<{ line: number; value: Record<string, unknown> }>,
  config: EvaluationDataConfig,
  path: string,
): Promise<EvaluationItem[]> {
  const items: EvaluationItem[] = [];
  const seen = new Set<string>();
  const prepare = (text: string): string => (config.preprocess.includes('detokenize_punctuation') ? detokenizePunctuation(text) : text);
  for await (const { line, value } of rows) {
    if (config.limit !== undefined && items.length >= config.limit) break;
    const input = value[config.input];
    if (typeof input !== 'string') throw new DataError(`field '${config.input}' must be a string`, path, line);
    const references = config.references === undefined ? [] : referencesOf(value[config.references], config.references, path, line);
    const label = config.label === undefined ? undefined : labelOf(value[config.label], config.label, path, line);
    const rawId = value[config.id_field];
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : `line-${line}`;
    if (seen.has(id)) throw new DataError(`duplicate id '${id}'`, path, line);
    seen.add(id);
    const strata: Record<string, string> = {};
    for (const key of config.stratify) strata[key] = key === 'length_bucket' && !(key in value) ? lengthBucket(input) : String(value[key] ?? '(none)');
    items.push({ id, input: prepare(input), references: references.map(prepare), label, original: { input, references }, strata });
  }
  if (items.length === 0) throw new DataError('no evaluation items', path);
  return items;
}

function referencesOf(value: unknown, field: string, path: string, line: number): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string')) return value as string[];
  throw new DataError(`field '${field}' must be a string or a non-empty array of strings`, path, line);
}

function labelOf(value: unknown, field: string, path: string, line: number): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new DataError(`field '${field}' must be a string, number or boolean label`, path, line);
}
