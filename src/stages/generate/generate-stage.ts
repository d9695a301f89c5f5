import { existsSync } from 'node:fs';
import { readJsonlTolerant, writeJsonAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import { AbortedError, DataError } from '../../errors.js';
import { priceFor } from '../../llm/pricing.js';
import type { StageContext } from '../context.js';
import type { InputRecord } from '../inputs/input-record.js';
import { ensureDir } from '../run-paths.js';
import { stageClient } from '../stage-client.js';
import { generateBatch } from './batch-generator.js';
import { Budget } from './budget.js';
import { importsTeacherOutputs, requireTeacher } from '../../config/teacher-section.js';
import { recordImportedOutputs } from './imported-outputs.js';
import { estimateGeneration, type GenerationEstimate } from './estimate.js';
import type { GeneratedRecord, GenerationFailure } from './generated-record.js';
import { OutputRows } from './output-rows.js';
import { generateSync } from './sync-generator.js';
import { TeacherRequests } from './teacher-request.js';
import { TeacherLogprobs } from './teacher-logprobs.js';

export interface GenerateFigures {
  model: string;
  /** imported: the answers came with the inputs and no model was called. */
  mode: 'sync' | 'batch' | 'imported';
  inputs: number;
  answered: number;
  failed: number;
  truncated: number;
  sent: number;
  cached: number;
  resumed: number;
  retries: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  cost_this_run: number;
  wall_seconds: number;
  [key: string]: unknown;
}

const STAGE = 'generate';

export function readStageInputs(context: StageContext): InputRecord[] {
  const path = context.paths.inputs.inputs;
  if (!existsSync(path)) throw new DataError('no inputs yet: run the inputs stage first (distillery run or distillery generate)', path);
  return readJsonlTolerant(path) as InputRecord[];
}

export function estimateStage(context: StageContext): GenerationEstimate {
  const requests = new TeacherRequests(context.task, requireTeacher(context.task.config, context.task.file, 'generate --estimate'));
  return estimateGeneration(readStageInputs(context), requests, context.task.config.prices);
}

/**
 * Turns `inputs/inputs.jsonl` into `generate/outputs.jsonl`. Answers are appended as they arrive (a kill -9
 * loses at most the line being written, and the cache still holds its answer); at the end the file is
 * rewritten in input order with `errors.jsonl` and `summary.json` beside it.
 */
export async function runGenerateStage(context: StageContext, resumable = true): Promise<GenerateFigures> {
  if (importsTeacherOutputs(context.task.config)) return recordImportedOutputs(context);
  const started = performance.now();
  const { prices } = context.task.config;
  const teacher = requireTeacher(context.task.config, context.task.file, 'generate');
  const paths = context.paths.generate;
  ensureDir(paths.dir);
  const inputs = readStageInputs(context);
  const requests = new TeacherRequests(context.task, teacher, TeacherLogprobs.forTeacher(context.task, teacher, paths.dir));

  // Resume: rows already in outputs.jsonl (for inputs that still exist, unchanged) are done, unless the
  // teacher's config changed since they were made; then every input is asked again (identical requests
  // still come from the cache, so nothing is paid twice). Rows stay in the file, with running totals here.
  const inputById = new Map(inputs.map((input) => [input.id, input]));
  const totals = { truncated: 0, prompt_tokens: 0, completion_tokens: 0 };
  const count = (row: GeneratedRecord): void => {
    totals.truncated += row.truncated ? 1 : 0;
    totals.prompt_tokens += row.usage.prompt_tokens;
    totals.completion_tokens += row.usage.completion_tokens;
  };
  const rows = new OutputRows(
    paths.outputs,
    resumable
      ? (row) => {
          if (inputById.get(row.id)?.input !== (row as GeneratedRecord).input) return false;
          count(row as GeneratedRecord);
          return true;
        }
      : undefined,
  );
  const resumed = rows.count;
  const pending = inputs.filter((input) => !rows.has(input.id));

  const { client, retries: retriesSoFar } = await stageClient(context, teacher.endpoint, teacher.model, teacher.concurrency, (event) => {
    if (event.type === 'concurrency-changed') context.emit({ type: 'log', stage: STAGE, level: 'info', message: `concurrency now ${event.limit}` });
  }, { stream: teacher.stream });
  const budget = new Budget(context.state, STAGE, 'teacher', teacher.model, priceFor(prices, teacher.model), teacher.max_cost);
  const spentBefore = budget.spent;
  const failures = new Map<string, GenerationFailure>();
  let cached = 0;
  let sent = 0;
  const progress = (): void =>
    context.emit({ type: 'stage-progress', stage: STAGE, done: rows.count, total: inputs.length, failed: failures.size, retries: retriesSoFar(), cost: budget.spent, cached });
  context.emit({ type: 'stage-started', stage: STAGE, total: inputs.length });
  progress();

  const sink = {
    record(record: GeneratedRecord, details: { cached: boolean }): void {
      rows.add(record.id, JSON.stringify(record));
      count(record);
      failures.delete(record.id);
      if (details.cached) cached++;
      else sent++;
      progress();
    },
    failure(failure: GenerationFailure): void {
      failures.set(failure.id, failure);
      progress();
    },
  };

  let unsent = 0;
  try {
    const common = { inputs: pending, requests, client, budget, sink, signal: context.signal };
    const result =
      teacher.mode === 'batch'
        ? await generateBatch({ ...common, state: context.state, paths: context.paths, emit: context.emit })
        : await generateSync({ ...common, workers: teacher.concurrency });
    unsent = result.unsent;
  } finally {
    // Whatever happened, leave the files consistent: outputs in input order, failures beside them.
    await rows.finish(inputs.map((input) => input.id));
    writeJsonlAtomic(paths.errors, [...failures.values()]);
  }

  const figures: GenerateFigures = {
    model: teacher.model,
    mode: teacher.mode,
    inputs: inputs.length,
    answered: rows.count,
    failed: failures.size,
    truncated: totals.truncated,
    sent,
    cached,
    resumed,
    retries: retriesSoFar(),
    prompt_tokens: totals.prompt_tokens,
    completion_tokens: totals.completion_tokens,
    cost: budget.spent,
    cost_this_run: budget.spent - spentBefore,
    wall_seconds: (performance.now() - started) / 1000,
    unsent,
  };
  writeJsonAtomic(paths.summary, figures);
  if (context.signal.aborted) throw new AbortedError(`stopped: ${rows.count}/${inputs.length} answered; run the same command again to continue`);
  if (unsent > 0) throw budget.exceededError(unsent);
  return figures;
}
