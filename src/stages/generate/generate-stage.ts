import { existsSync, readFileSync } from 'node:fs';
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
import { GeneratedRecordSchema, type GeneratedRecord, type GenerationFailure } from './generated-record.js';
import { checkScoringEndpoint, scoreStoredAnswers, scoresAnswers, type ScoringFigures } from './answer-scoring.js';
import type { TeacherConfig } from '../../config/schema.js';
import { writeOutputsFile, type OutputsFigures } from './outputs-file.js';
import { generateSync, type GenerationSink } from './sync-generator.js';
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
 * Turns `inputs/inputs.jsonl` into `generate/outputs.jsonl`. One rule keeps it crash-safe: the response
 * cache (SQLite, keyed by the request hash) is the only record of what was answered, and an answer counts
 * once it is committed there; `outputs.jsonl`, `errors.jsonl` and `summary.json` are derived from it and
 * rewritten atomically at the end (also after a stop). A resumed run asks only what the cache lacks under
 * the config in force (an answer of another config has another request hash); a finished stage run again
 * sends nothing.
 */
export async function runGenerateStage(context: StageContext): Promise<GenerateFigures> {
  const teacher = context.task.config.teacher;
  const imported = importsTeacherOutputs(context.task.config);
  // Answers not generated with log-probs (imported, or teacher.logprobs.source: score) are scored afterwards.
  const scoring = scoresAnswers(teacher, imported);
  if (scoring) checkScoringEndpoint(context, teacher!);
  const answered = imported ? await recordImportedOutputs(context) : await generateAnswers(context);
  return scoring ? { ...answered, ...(await scoreOutputs(context, teacher!)) } : answered;
}

/** Scores the answers `outputs.jsonl` holds (`teacher.logprobs` on answers not generated with log-probs). */
async function scoreOutputs(context: StageContext, teacher: TeacherConfig): Promise<ScoringFigures> {
  const records = (readJsonlTolerant(context.paths.generate.outputs) as unknown[]).map((value) => GeneratedRecordSchema.parse(value));
  const figures = await scoreStoredAnswers(context, teacher, records);
  const summary = JSON.parse(readFileSync(context.paths.generate.summary, 'utf8')) as Record<string, unknown>;
  writeJsonAtomic(context.paths.generate.summary, { ...summary, ...figures });
  return figures;
}

async function generateAnswers(context: StageContext): Promise<GenerateFigures> {
  const started = performance.now();
  const { prices } = context.task.config;
  const teacher = requireTeacher(context.task.config, context.task.file, 'generate');
  const paths = context.paths.generate;
  ensureDir(paths.dir);
  const inputs = readStageInputs(context);
  const requests = new TeacherRequests(context.task, teacher, TeacherLogprobs.forTeacher(context.task, teacher, paths.dir));
  const price = priceFor(prices, teacher.model);
  Budget.check(teacher.max_cost, price, teacher.model, context.task.file);

  const { client, retries: retriesSoFar } = await stageClient(context, teacher.endpoint, teacher.model, teacher.concurrency, (event) => {
    if (event.type === 'concurrency-changed') context.emit({ type: 'log', stage: STAGE, level: 'info', message: `concurrency now ${event.limit}` });
  }, { stream: teacher.stream });
  const budget = new Budget(context.state, STAGE, 'teacher', teacher.model, price, teacher.max_cost);
  const spentBefore = budget.spent;
  const failures = new Map<string, GenerationFailure>();
  let done = 0;
  let cached = 0;
  let sent = 0;
  const progress = (): void =>
    context.emit({ type: 'stage-progress', stage: STAGE, done, total: inputs.length, failed: failures.size, retries: retriesSoFar(), cost: budget.spent, cached });
  context.emit({ type: 'stage-started', stage: STAGE, total: inputs.length });
  progress();

  const sink: GenerationSink = {
    record(record: GeneratedRecord, details: { cached: boolean }): void {
      failures.delete(record.id);
      done++;
      if (details.cached) cached++;
      else sent++;
      progress();
    },
    failure(failure: GenerationFailure): void {
      failures.set(failure.id, failure);
      progress();
    },
    durable: () => context.state.committed(),
  };

  // First Ctrl-C: nothing new is submitted and requests in flight get one request timeout to finish.
  const cancel = graceAfter(context.signal, (context.task.config.endpoints[teacher.endpoint]?.timeout_s ?? 600) * 1000);
  let unsent = 0;
  let written: OutputsFigures | undefined;
  try {
    const common = { inputs, requests, client, budget, sink, signal: context.signal, cancel: cancel.signal };
    const result =
      teacher.mode === 'batch'
        ? await generateBatch({ ...common, state: context.state, paths: context.paths, emit: context.emit })
        : await generateSync({ ...common, workers: teacher.concurrency });
    unsent = result.unsent;
  } catch (error) {
    // A stop (Ctrl-C) ends a batch poll with the signal's reason: it is a stop, reported as such below.
    if (!context.signal.aborted) throw error;
  } finally {
    cancel.dispose();
    // Whatever happened, derive the files from what is committed: outputs in input order, failures beside.
    context.state.flush();
    // An input with a row has not failed, whatever an attempt of this run said (a failed retry of a truncated answer).
    written = writeOutputsFile(paths.outputs, inputs, requests, client, (id) => failures.delete(id));
    requests.logprobs?.writeFile(inputs, requests, client);
    for (const dropped of written.dropped) failures.set(dropped.id, dropped);
    writeJsonlAtomic(paths.errors, [...failures.values()]);
  }

  const figures: GenerateFigures = {
    model: teacher.model,
    mode: teacher.mode,
    inputs: inputs.length,
    answered: written.answered,
    failed: failures.size,
    truncated: written.truncated,
    sent,
    cached,
    resumed: cached,
    retries: retriesSoFar(),
    prompt_tokens: written.prompt_tokens,
    completion_tokens: written.completion_tokens,
    cost: budget.spent,
    cost_this_run: budget.spent - spentBefore,
    wall_seconds: (performance.now() - started) / 1000,
    unsent,
  };
  writeJsonAtomic(paths.summary, figures);
  if (context.signal.aborted) throw new AbortedError(`stopped: ${written.answered}/${inputs.length} answered; run the same command again to continue`);
  if (unsent > 0) throw budget.exceededError(unsent);
  return figures;
}

/** A signal that aborts `graceMs` after `signal` does (the deadline of requests in flight at a stop). */
function graceAfter(signal: AbortSignal, graceMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onStop = (): void => {
    timer = setTimeout(() => controller.abort(signal.reason), graceMs);
  };
  if (signal.aborted) onStop();
  else signal.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      signal.removeEventListener('abort', onStop);
      if (timer) clearTimeout(timer);
    },
  };
}
