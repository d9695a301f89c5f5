import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { resolvePath } from '../../config/load.js';
import { writeJsonAtomic } from '../../data/jsonl.js';
import { JsonlFileWriter } from '../../data/jsonl-file-writer.js';
import { DataError } from '../../errors.js';
import type { StageContext } from '../context.js';
import { ensureDir } from '../run-paths.js';
import type { InputRecord } from './input-record.js';
import { streamInputs, type InputsCounts } from './read-inputs.js';

export interface InputsFigures {
  rows: number;
  kept: number;
  filtered: number;
  rejected: number;
  [key: string]: unknown;
}

/**
 * Streams task inputs into `inputs/inputs.jsonl` (plus `rejected.jsonl` and `filtered.jsonl`, so nothing is
 * lost silently), each row written as it is read: memory stays flat whatever the file size. Synthesized
 * inputs, when configured, are produced by `synthesize` and appended.
 */
export async function runInputsStage(
  context: StageContext,
  synthesize?: (context: StageContext) => Promise<InputRecord[]>,
): Promise<InputsFigures> {
  const { config } = context.task;
  const settings = config.inputs;
  const paths = context.paths.inputs;
  ensureDir(paths.dir);
  const scratchDir = join(paths.dir, 'scratch');
  const writers = { inputs: new JsonlFileWriter(paths.inputs), rejected: new JsonlFileWriter(paths.rejected), filtered: new JsonlFileWriter(paths.filtered) };
  try {
    let figures: InputsFigures = { rows: 0, kept: 0, filtered: 0, rejected: 0 };
    let claimId: (id: string) => boolean = () => true;
    let closeIds = (): void => {};
    if (settings.path) {
      const { counts, ids } = await streamInputs(
        {
          path: resolvePath(context.task, settings.path),
          format: settings.format,
          field: settings.field,
          idField: settings.id_field,
          keepFields: settings.keep_fields,
          words: settings.words,
          chars: settings.chars,
          limit: settings.limit,
          onError: settings.on_error,
          dedup: settings.dedup,
          sample: settings.sample,
          imported: { output_field: settings.output_field, reasoning_field: settings.reasoning_field },
          scratchDir,
        },
        { input: (row) => writers.inputs.write(row), rejected: (row) => writers.rejected.write(row), filtered: (row) => writers.filtered.write(row) },
      );
      figures = figuresOf(counts);
      const next = counts.last_line + 1;
      claimId = (id) => ids.claim(id, next, true) === undefined;
      closeIds = () => ids.close();
      if (counts.rejected > 0) {
        context.emit({ type: 'log', stage: 'inputs', level: 'warn', message: `${counts.rejected} malformed rows set aside in ${paths.rejected}` });
      }
    }
    try {
      if (synthesize) {
        const synthesized = await synthesize(context);
        for (const record of synthesized) {
          if (!claimId(record.id)) throw new DataError(`synthesized input id '${record.id}' collides with a loaded input`, paths.inputs);
          writers.inputs.write(record);
        }
        figures = { ...figures, synthesized: synthesized.length, kept: figures.kept + synthesized.length };
      }
    } finally {
      closeIds();
    }
    if (figures.kept === 0) throw new DataError('no inputs left after loading and filtering', settings.path ? resolvePath(context.task, settings.path) : 'inputs');
    for (const writer of Object.values(writers)) writer.commit();
    writeJsonAtomic(paths.summary, figures);
    return figures;
  } catch (error) {
    for (const writer of Object.values(writers)) writer.discard();
    throw error;
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

function figuresOf(counts: InputsCounts): InputsFigures {
  const { last_line: _lastLine, duplicates, sampled_out, ...figures } = counts;
  return { ...figures, ...(duplicates > 0 ? { duplicates } : {}), ...(sampled_out > 0 ? { sampled_out } : {}) };
}
