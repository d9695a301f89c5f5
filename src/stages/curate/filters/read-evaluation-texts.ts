import { loadDataset, type DatasetReference } from '../../../data/datasets/load-dataset.js';
import { DataError } from '../../../errors.js';
import { readConfigFile } from '../read-config-file.js';

/**
 * The texts of an evaluation set: a named set's inputs, or a file: `.jsonl` (one object per line, `field`
 * picked; bare JSON strings allowed), `.json` (an array of the same), or any other file as one text per
 * non-empty line.
 */
export async function readEvaluationTexts(configDirectory: string, path: string | DatasetReference, field: string): Promise<string[]> {
  if (typeof path !== 'string') return (await loadDataset(path)).map((row) => row.input);
  const raw = await readConfigFile(configDirectory, path, 'decontaminate.against');
  if (path.endsWith('.json')) {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) throw new DataError('expected a JSON array', path);
    return parsed.map((item, index) => pick(item, field, path, index + 1));
  }
  const lines = raw.split(/\r?\n/);
  const texts: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    if (!path.endsWith('.jsonl')) {
      texts.push(line);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`not JSON: ${error instanceof Error ? error.message : String(error)}`, path, index + 1);
    }
    texts.push(pick(value, field, path, index + 1));
  });
  return texts;
}

function pick(value: unknown, field: string, path: string, line: number): string {
  if (typeof value === 'string') return value;
  const text = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  if (typeof text !== 'string') throw new DataError(`no string field "${field}"`, path, line);
  return text;
}
