import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DistilleryError, errorMessage } from '../../errors.js';
import { DATASETS, type DatasetDefinition, type DatasetFile, type DatasetSplit } from './dataset-registry.js';

/** An evaluation set by name, as the config writes it: `{ dataset: jfleg, split: test }`. */
export interface DatasetReference {
  dataset: string;
  split: string;
}

/** One item of a named set: its input and every reference. */
export interface DatasetRow {
  id: string;
  input: string;
  references: string[];
}

/** A named set that is unknown, absent and not downloadable, or not the bytes it should be. */
export class DatasetError extends DistilleryError {}

export interface LoadDatasetOptions {
  environment?: NodeJS.ProcessEnv;
  /** Where the licence and the download are announced; default stderr. */
  log?: (line: string) => void;
  fetch?: typeof fetch;
  /** Replaces the set's official base URL (a mirror; tests point it at an unreachable address). */
  source?: string;
  timeoutMs?: number;
}

/** `DISTILLERY_DATA`, else `~/.cache/distillery/data`: one folder per set under it. */
export function dataRoot(environment: NodeJS.ProcessEnv = process.env): string {
  const given = environment.DISTILLERY_DATA;
  return given !== undefined && given !== '' ? resolve(given) : join(homedir(), '.cache', 'distillery', 'data');
}

export function datasetSplit(reference: DatasetReference): { definition: DatasetDefinition; split: DatasetSplit } {
  const definition = DATASETS[reference.dataset];
  if (definition === undefined) throw new DatasetError(`unknown evaluation set '${reference.dataset}' (known: ${Object.keys(DATASETS).join(', ')})`);
  const split = definition.splits[reference.split];
  if (split === undefined) throw new DatasetError(`${reference.dataset} has no split '${reference.split}' (splits: ${Object.keys(definition.splits).join(', ')})`);
  return { definition, split };
}

/** What a named split is, by content: its pinned checksums (stage hashes use this, without reading a file). */
export function datasetIdentity(reference: DatasetReference): { dataset: string; split: string; sha256: string[] } {
  const { split } = datasetSplit(reference);
  return { dataset: reference.dataset, split: reference.split, sha256: [split.inputs, ...split.references].map((file) => file.sha256) };
}

/**
 * The items of a named split, read from the data root. Missing files are downloaded from the set's official
 * source (licence and checksums shown as they are), every file is checked against its pinned SHA-256, and
 * a set that is neither here nor downloadable is an error naming the URLs and the folder they belong in.
 */
export async function loadDataset(reference: DatasetReference, options: LoadDatasetOptions = {}): Promise<DatasetRow[]> {
  const { definition, split } = datasetSplit(reference);
  const directory = join(dataRoot(options.environment), definition.name);
  const files = [split.inputs, ...split.references];
  const missing = files.filter((file) => !existsSync(join(directory, file.name)));
  if (missing.length > 0) await download(definition, missing, directory, options);
  const columns = files.map((file) => lines(verified(join(directory, file.name), file.sha256, readFileSync(join(directory, file.name)))));
  const [inputs, ...references] = columns as [string[], ...string[][]];
  for (const [index, column] of references.entries()) {
    if (column.length !== inputs.length) throw new DatasetError(`${join(directory, split.references[index]!.name)} has ${column.length} lines, ${split.inputs.name} has ${inputs.length}`);
  }
  return inputs.map((input, line) => ({ id: `${reference.split}-${line}`, input, references: references.map((column) => column[line]!) }));
}

async function download(definition: DatasetDefinition, files: DatasetFile[], directory: string, options: LoadDatasetOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.source ?? definition.source;
  const url = (file: DatasetFile): string => new URL(file.remote, base.endsWith('/') ? base : `${base}/`).href;
  log(`${definition.title}: downloading ${files.length} file(s) into ${directory}`);
  log(`  licence: ${definition.licence} (${definition.licenceUrl}); cite: ${definition.citation}`);
  mkdirSync(directory, { recursive: true });
  for (const file of files) {
    let bytes: Buffer;
    try {
      const response = await (options.fetch ?? fetch)(url(file), { signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? ` (${errorMessage(error.cause)})` : '';
      throw new DatasetError(
        `${definition.name}: ${file.name} is not in ${directory} and could not be downloaded from ${url(file)}: ${errorMessage(error)}${cause}. ` +
          `Download ${files.map(url).join(' ')} into ${directory}, or set DISTILLERY_DATA to a folder that holds ${definition.name}/.`,
        { cause: error },
      );
    }
    const path = join(directory, file.name);
    verified(path, file.sha256, bytes);
    const temporary = `${path}.download-${process.pid}`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
    log(`  ${file.name} sha256 ${file.sha256} verified`);
  }
}

function verified(path: string, expected: string, bytes: Buffer): Buffer {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) throw new DatasetError(`${path}: sha256 ${actual}, expected ${expected}; it is not the published file (delete it to download it again)`);
  return bytes;
}

function lines(bytes: Buffer): string[] {
  const all = bytes.toString('utf8').split(/\r?\n/);
  if (all.at(-1) === '') all.pop();
  return all;
}
