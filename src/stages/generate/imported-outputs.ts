import { readJsonl, writeJsonAtomic } from '../../data/jsonl.js';
import { JsonlFileWriter } from '../../data/jsonl-file-writer.js';
import { DataError } from '../../errors.js';
import type { StageContext } from '../context.js';
import type { InputRecord } from '../inputs/input-record.js';
import { ensureDir } from '../run-paths.js';
import type { GenerateFigures } from './generate-stage.js';
import type { GeneratedRecord, GenerationFailure } from './generated-record.js';

/**
 * The generate stage when the inputs brought their teacher answers (`inputs.output_field`, or chat-log rows):
 * each answer becomes a row of `generate/outputs.jsonl` exactly as a called teacher's would, and no model is
 * asked. An empty answer is a failure (`errors.jsonl`), as it is for a called teacher. Streams, like inputs.
 */
export async function recordImportedOutputs(context: StageContext): Promise<GenerateFigures> {
  const started = performance.now();
  const paths = context.paths.generate;
  ensureDir(paths.dir);
  const outputs = new JsonlFileWriter(paths.outputs);
  const errors = new JsonlFileWriter(paths.errors);
  const figures: GenerateFigures = {
    model: 'imported', mode: 'imported', inputs: 0, answered: 0, failed: 0, truncated: 0, sent: 0, cached: 0, resumed: 0, retries: 0,
    prompt_tokens: 0, completion_tokens: 0, cost: 0, cost_this_run: 0, wall_seconds: 0,
  };
  context.emit({ type: 'stage-started', stage: 'generate', total: 0 });
  try {
    for await (const { line, value } of readJsonl(context.paths.inputs.inputs)) {
      const input = value as InputRecord;
      figures.inputs++;
      if (!input.imported) throw new DataError(`input '${input.id}' has no imported answer: run the inputs stage again`, context.paths.inputs.inputs, line);
      const { output, reasoning, finish_reason, truncated, prompt } = input.imported;
      if (output.trim() === '') {
        errors.write({ id: input.id, input: input.input, error: 'empty imported answer', attempts: 0 } satisfies GenerationFailure);
        figures.failed++;
        continue;
      }
      const fields = prompt ? { ...input.fields, prompt_messages: prompt } : input.fields;
      const record: GeneratedRecord = { id: input.id, input: input.input, output, reasoning, finish_reason, truncated, usage: { prompt_tokens: 0, completion_tokens: 0 } };
      if (fields !== undefined) record.fields = fields;
      outputs.write(record);
      figures.answered++;
      if (truncated) figures.truncated++;
    }
    outputs.commit();
    errors.commit();
  } catch (error) {
    outputs.discard();
    errors.discard();
    throw error;
  }
  figures.wall_seconds = (performance.now() - started) / 1000;
  context.emit({ type: 'stage-progress', stage: 'generate', done: figures.answered, total: figures.inputs, failed: figures.failed, retries: 0, cost: 0, cached: 0 });
  writeJsonAtomic(paths.summary, figures);
  return figures;
}
