import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileDigest } from './file-digest.js';

/**
 * A config section with every string that names an existing file (relative to the config's folder, as every
 * stage resolves them) replaced by `{ file_sha256 }` of its content: prompts, few-shot and template files,
 * inputs, evaluation data, judge rubrics, JSON Schemas, verify modules, decontamination sets. Walking the
 * section finds them all without a list to keep in step with each filter's options; where a file lives
 * (moving the project) does not count, what it holds does. Folders (a local model) are left as written.
 */
export function withFileDigests(value: unknown, directory: string, options: FileDigestOptions = {}): unknown {
  if (typeof value === 'string') {
    const digest = digestIfFile(value, directory, options.persisted);
    return digest === undefined ? value : { file_sha256: digest };
  }
  if (Array.isArray(value)) return value.map((entry) => withFileDigests(entry, directory, options));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  // A reference resolved elsewhere (an evaluation set by name) contributes what it resolves to.
  const replaced = options.resolve?.(object);
  if (replaced !== undefined) return replaced;
  return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, withFileDigests(entry, directory, options)]));
}

export interface FileDigestOptions {
  /** Replaces an object that names something other than a file; undefined: walk into it. */
  resolve?: (value: Record<string, unknown>) => unknown;
  /** Where digests are kept between runs (see fileDigest). */
  persisted?: string;
}

function digestIfFile(text: string, directory: string, persisted: string | undefined): string | undefined {
  // Literal prompts are long or multi-line; paths are neither.
  if (text === '' || text.length > 1024 || text.includes('\n')) return undefined;
  const path = isAbsolute(text) ? text : resolve(directory, text);
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isFile() ? fileDigest(path, persisted) : undefined;
}
