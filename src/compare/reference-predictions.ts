import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LoadedTask } from '../config/load.js';
import { writeJsonAtomic } from '../data/jsonl.js';
import { stageHashes } from '../pipeline/stage-hash.js';
import { STUDENT } from '../stages/evaluate/evaluate-config.js';
import { predictionRecordSchema, type PredictionRecord } from '../stages/evaluate/prediction-record.js';

const referenceFileSchema = z.object({ hash: z.string(), predictions: z.record(z.string(), z.array(predictionRecordSchema)) });

/**
 * The answers of every compared model but the student (teacher, untuned base, baselines), asked once for all
 * variants and kept in `variants/reference.json`. They are valid while the config they depend on is unchanged:
 * the hash is the evaluate stage's, computed with the student left out (so it covers the teacher, the
 * evaluation set's content and every model entry, and no variant's training).
 */
export class ReferencePredictions {
  private readonly file: string;
  private readonly hash: string;

  constructor(task: LoadedTask, runDir: string) {
    this.file = join(runDir, 'variants', 'reference.json');
    const evaluate = task.config.evaluate;
    const models = Object.fromEntries(Object.entries(evaluate?.models ?? {}).filter(([name]) => name !== STUDENT));
    const withoutStudent = { ...task.config, student: undefined, compare: undefined, evaluate: evaluate && { ...evaluate, models } };
    this.hash = stageHashes({ config: withoutStudent, dir: task.dir }, runDir).evaluate;
  }

  /** The stored answers by model, or undefined when there are none for the config in force. */
  load(): Record<string, PredictionRecord[]> | undefined {
    if (!existsSync(this.file)) return undefined;
    const parsed = referenceFileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    return parsed.success && parsed.data.hash === this.hash ? parsed.data.predictions : undefined;
  }

  /** Keeps the non-student answers of an evaluation (its predictions, every model in item order). */
  save(predictions: readonly PredictionRecord[]): void {
    const byModel: Record<string, PredictionRecord[]> = {};
    for (const record of predictions) if (record.model !== STUDENT) (byModel[record.model] ??= []).push(record);
    // A model with a failed request is asked again next time rather than carrying the failure to every variant.
    for (const [model, records] of Object.entries(byModel)) if (records.some((record) => record.error !== null)) delete byModel[model];
    writeJsonAtomic(this.file, { hash: this.hash, predictions: byModel });
  }
}
