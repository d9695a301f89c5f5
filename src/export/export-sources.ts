import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadTask, type LoadedTask } from '../config/load.js';
import { buildPrompt } from '../data/chat-format.js';
import { DataError, DistilleryError } from '../errors.js';
import type { ChatRequest } from '../engines/llamacpp.js';
import { resolveComparedModels, type ComparedModel } from '../stages/evaluate/compared-model.js';
import type { EvaluateConfig } from '../stages/evaluate/evaluate-config.js';
import type { EvaluationItem } from '../stages/evaluate/evaluation-item.js';
import { predictionRecordSchema } from '../stages/evaluate/prediction-record.js';
import { readEvaluationSet } from '../stages/evaluate/evaluation-set.js';
import { runPaths } from '../stages/run-paths.js';

const trainedSchema = z.object({ trainer: z.string(), method: z.string(), base_model: z.string(), adapter_dir: z.string().nullable() });
const runSummarySchema = z.object({ config: z.string() });

/** What an export needs from a finished run: the trained weights, the student's prompt, and its evaluated answers. */
export interface ExportSources {
  task: LoadedTask;
  evaluate: EvaluateConfig;
  /** The base model (LoRA) or the trained model (full training). */
  model: string;
  /** The trained LoRA adapter, when the student is one. */
  adapter: string | undefined;
  /** The base model, whose dtype the export keeps. */
  base: string;
  student: ComparedModel;
  items: EvaluationItem[];
  /** The trained student's answers from the evaluate stage, by item id. */
  studentAnswers: Map<string, string>;
}

/** Reads a run directory: `train/metrics.json`, its task config (from `run.json`, or `configPath`), and the evaluation. */
export async function readExportSources(runDir: string, configPath?: string): Promise<ExportSources> {
  const paths = runPaths(runDir);
  if (!existsSync(paths.train.metrics)) throw new DataError('no trained student: run the train stage first', paths.train.metrics);
  const trained = trainedSchema.parse(JSON.parse(readFileSync(paths.train.metrics, 'utf8')));
  if (trained.trainer !== 'local' || trained.adapter_dir === null) throw new DistilleryError(`only a locally trained student can be exported; this one was trained by ${trained.trainer}`);
  const task = loadTask(exportConfigPath(runDir, configPath));
  const evaluate = task.config.evaluate;
  if (evaluate === undefined) throw new DistilleryError(`${task.file}: an export is verified on the evaluation items: the task needs an evaluate: section`);
  if (!existsSync(paths.evaluate.predictions)) throw new DataError('no evaluation predictions: run the evaluate stage first (the export is compared with them)', paths.evaluate.predictions);
  const compared = await resolveComparedModels(task, evaluate, { resolveStudent: async () => ({ endpoint: 'local', model: 'student' }) });
  const fromTrain = Object.entries(evaluate.models).find(([, entry]) => 'from' in entry && entry.from === 'train')?.[0];
  const student = compared.find((model) => model.name === fromTrain);
  if (student === undefined) throw new DistilleryError(`${task.file}: evaluate.models has no { from: train } entry: nothing to compare the export with`);
  const items = await readEvaluationSet(task, evaluate.data);
  const studentAnswers = new Map<string, string>();
  for (const line of readFileSync(paths.evaluate.predictions, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = predictionRecordSchema.parse(JSON.parse(line));
    if (row.model === student.name && row.error === null) studentAnswers.set(row.id, row.output);
  }
  const full = trained.method === 'full';
  return { task, evaluate, model: full ? trained.adapter_dir : trained.base_model, adapter: full ? undefined : trained.adapter_dir, base: trained.base_model, student, items, studentAnswers };
}

/** The task config of a run: `configPath`, or the one its `run.json` names. */
export function exportConfigPath(runDir: string, configPath?: string): string {
  const summaryFile = join(runDir, 'run.json');
  const config = configPath ?? (existsSync(summaryFile) ? runSummarySchema.parse(JSON.parse(readFileSync(summaryFile, 'utf8'))).config : undefined);
  if (config === undefined) throw new DataError('no run.json naming the task config: pass --config', summaryFile);
  return config;
}

/** The student's greedy request for each evaluation item, exactly as the evaluation asked it. */
export function studentRequests(sources: ExportSources, limit?: number): ChatRequest[] {
  const items = limit === undefined ? sources.items : sources.items.slice(0, limit);
  return items.map((item) => {
    const prompt = buildPrompt(sources.student.prompt, item.input);
    return { id: item.id, messages: prompt.messages, max_tokens: sources.student.maxTokens, continue_final_message: prompt.extra.continue_final_message === true || undefined };
  });
}
