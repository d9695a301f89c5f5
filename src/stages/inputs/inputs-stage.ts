import { resolvePath } from '../../config/load.js';
import { writeJsonAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import { DataError } from '../../errors.js';
import type { StageContext } from '../context.js';
import { ensureDir } from '../run-paths.js';
import type { InputRecord } from './input-record.js';
import { readInputs } from './read-inputs.js';

export interface InputsFigures {
  rows: number;
  kept: number;
  filtered: number;
  rejected: number;
  [key: string]: unknown;
}

/**
 * Loads task inputs into `inputs/inputs.jsonl` (plus `rejected.jsonl` and `filtered.jsonl`, so nothing is
 * lost silently). Synthesized inputs, when configured, are produced by `synthesize` and appended.
 */
export async function runInputsStage(
  context: StageContext,
  synthesize?: (context: StageContext) => Promise<InputRecord[]>,
): Promise<InputsFigures> {
  const { config } = context.task;
  const settings = config.inputs;
  ensureDir(context.paths.inputs.dir);
  let inputs: InputRecord[] = [];
  let figures: InputsFigures = { rows: 0, kept: 0, filtered: 0, rejected: 0 };
  if (settings.path) {
    const path = resolvePath(context.task, settings.path);
    const result = await readInputs({
      path,
      format: settings.format,
      field: settings.field,
      idField: settings.id_field,
      keepFields: settings.keep_fields,
      words: settings.words,
      chars: settings.chars,
      limit: settings.limit,
      onError: settings.on_error,
    });
    inputs = result.inputs;
    writeJsonlAtomic(context.paths.inputs.rejected, result.rejected);
    writeJsonlAtomic(context.paths.inputs.filtered, result.filtered);
    figures = { rows: result.rows, kept: result.inputs.length, filtered: result.filtered.length, rejected: result.rejected.length };
    if (result.rejected.length > 0) {
      context.emit({ type: 'log', stage: 'inputs', level: 'warn', message: `${result.rejected.length} malformed rows set aside in ${context.paths.inputs.rejected}` });
    }
  }
  if (synthesize) {
    const synthesized = await synthesize(context);
    const known = new Set(inputs.map((input) => input.id));
    for (const record of synthesized) {
      if (known.has(record.id)) throw new DataError(`synthesized input id '${record.id}' collides with a loaded input`, context.paths.inputs.inputs);
      known.add(record.id);
    }
    inputs = inputs.concat(synthesized);
    figures = { ...figures, synthesized: synthesized.length, kept: inputs.length };
  }
  if (inputs.length === 0) throw new DataError('no inputs left after loading and filtering', settings.path ? resolvePath(context.task, settings.path) : 'inputs');
  writeJsonlAtomic(context.paths.inputs.inputs, inputs);
  writeJsonAtomic(context.paths.inputs.summary, figures);
  return figures;
}
