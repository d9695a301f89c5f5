import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeJsonAtomic, writeJsonlAtomic } from '../../src/data/jsonl.js';
import { evaluationReportSchema, type EvaluationReport } from '../../src/report/evaluation-report-schema.js';
import { RequestLog } from '../../src/serve/request-log.js';
import { classifyStudentErrors } from '../../src/stages/evaluate/error-analysis.js';
import { evaluationItemRows } from '../../src/stages/evaluate/write-reports.js';
import type { PredictionRecord } from '../../src/stages/evaluate/prediction-record.js';
import type { GeneratedRecord } from '../../src/stages/generate/generated-record.js';
import { runPaths } from '../../src/stages/run-paths.js';
import type { TrainingMetrics } from '../../src/stages/train/training-metrics.js';
import { openDatabase } from '../../src/store/database.js';
import { RunState } from '../../src/store/run-state.js';

export const ASSISTANT_PREFIX = '<think>\n\n</think>\n\n';
export const STUDENT_SYSTEM = "Please correct the grammar in the user's text if necessary.";

/** Which filter drops which reasons, in funnel order (dedup drops three kinds of duplicate). */
const FILTER_REASONS: [string, string[]][] = [
  ['drop_truncated', ['truncated']],
  ['dedup', ['exact_duplicate', 'near_duplicate']],
  ['length', ['length']],
  ['refusal', ['refusal']],
];

export interface FixtureOptions {
  /** How many rows curation dropped (spread over the reasons); the default is a small run. */
  dropped?: number;
  kept?: number;
  evaluationItems?: number;
  trainingSteps?: number;
  servedRequests?: number;
  /** The student is wrong on every n-th evaluation item (default 3). */
  studentWrongEvery?: number;
  /** A stage left running (e.g. to show a run still going). */
  runningStage?: string;
}

export interface FixtureTruth {
  dir: string;
  funnel: { raw: number; steps: { filter: string; kept: number; dropped: number }[]; kept: number };
  droppedByReason: Record<string, number>;
  /** Evaluation item ids where the student is wrong and the teacher right. */
  compression: string[];
  inherited: string[];
  loggedSteps: number;
  chosenCheckpoint: string;
  report: EvaluationReport;
  fallbacks: Record<string, number>;
  /** Distinct inputs the fallback answered (what capture exports). */
  fellBackInputs: number;
  served: number;
}

const sentence = (index: number): string => `this are sentence number ${index} with a error in it`;
const corrected = (index: number): string => `This is sentence number ${index} with an error in it.`;
const reasonDetail: Record<string, (index: number) => unknown> = {
  truncated: () => ({ finish_reason: 'length' }),
  exact_duplicate: (index) => ({ duplicate_of: `out-${index - 1}` }),
  near_duplicate: (index) => ({ duplicate_of: `out-${index - 2}`, jaccard: 0.93 }),
  length: (index) => ({ measure: 'chars', value: 900 + index, min: 5, max: 800 }),
  refusal: () => ({ phrase: "I can't help" }),
};

/**
 * A realistic finished run directory built with the project's own writers: inputs, teacher outputs with
 * reasoning, curated and dropped rows (several reasons) with funnel.json, split rows, training events and
 * metrics with a chosen checkpoint, predictions of student / teacher / baseline with references and judge
 * verdicts, report.json, the cost ledger and a gateway request log with fallbacks.
 */
export function buildFixtureRun(dir: string, options: FixtureOptions = {}): FixtureTruth {
  const paths = runPaths(dir);
  const droppedCount = options.dropped ?? 40;
  const keptCount = options.kept ?? 60;
  const raw = droppedCount + keptCount;
  mkdirSync(dir, { recursive: true });
  for (const folder of [paths.inputs.dir, paths.generate.dir, paths.curate.dir, paths.split.dir, paths.train.dir, paths.evaluate.dir]) mkdirSync(folder, { recursive: true });
  writeFileSync(
    paths.config,
    stringify({
      name: 'grammar-checker',
      student: { base: 'Qwen/Qwen3-0.6B', trainer: 'local', system: STUDENT_SYSTEM, assistant_prefix: ASSISTANT_PREFIX, hyperparameters: { epochs: 2, batch_size: 4, lora_r: 8, learning_rate: 0.0002 } },
    }),
  );

  const inputs = Array.from({ length: raw }, (_, index) => ({ id: `in-${index}`, input: sentence(index), fields: { category: index % 2 === 0 ? 'short' : 'long' } }));
  writeJsonlAtomic(paths.inputs.inputs, inputs);
  const outputs: GeneratedRecord[] = inputs.map((input, index) => ({
    id: input.id, input: input.input, output: corrected(index), reasoning: index % 3 === 0 ? `The verb "are" should agree with "this" (item ${index}).` : null,
    finish_reason: 'stop', truncated: false, usage: { prompt_tokens: 30, completion_tokens: 12 }, fields: input.fields,
  }));
  writeJsonlAtomic(paths.generate.outputs, outputs);

  // Dropped rows, step by step in funnel order (as curation writes them); the reasons share the count.
  const reasons = FILTER_REASONS.flatMap(([, list]) => list);
  const perReason = reasons.map((_, index) => Math.floor(droppedCount / reasons.length) + (index < droppedCount % reasons.length ? 1 : 0));
  const droppedByReason = Object.fromEntries(reasons.map((reason, index) => [reason, perReason[index]!]));
  const droppedRows: Record<string, unknown>[] = [];
  let next = 0;
  let remaining = raw;
  const steps = FILTER_REASONS.map(([filter, list]) => {
    const before = droppedRows.length;
    // Within dedup the reasons interleave, as one pass over the rows would find them.
    const queues = list.map((reason) => Array.from({ length: droppedByReason[reason]! }, () => reason));
    while (queues.some((queue) => queue.length > 0)) {
      for (const queue of queues) {
        const reason = queue.shift();
        if (reason === undefined) continue;
        const record = outputs[next]!;
        droppedRows.push({ ...record, reason, detail: reasonDetail[reason]!(next) });
        next++;
      }
    }
    const dropped = droppedRows.length - before;
    remaining -= dropped;
    return { filter, kept: remaining, dropped };
  });
  const kept = outputs.slice(next).map(({ id, input, output, fields }) => ({ id, input, output, fields }));
  writeJsonlAtomic(paths.curate.dropped, droppedRows);
  writeJsonlAtomic(paths.curate.kept, kept);
  const funnel = { raw, steps, kept: kept.length };
  writeJsonAtomic(paths.curate.funnel, { ...funnel, examples: {} });

  const splitRow = (row: { input: string; output: string }) => ({
    messages: [{ role: 'system', content: STUDENT_SYSTEM }, { role: 'user', content: row.input }, { role: 'assistant', content: `${ASSISTANT_PREFIX}${row.output}` }],
  });
  const validationCount = Math.max(1, Math.floor(kept.length / 10));
  writeJsonlAtomic(paths.split.validation, kept.slice(0, validationCount).map(splitRow));
  writeJsonlAtomic(paths.split.train, kept.slice(validationCount).map(splitRow));

  // Training: a loss per step, a validation loss at each epoch's end, a checkpoint per epoch; best kept.
  const totalSteps = options.trainingSteps ?? 24;
  const perEpoch = totalSteps / 2;
  const stepLoss = (step: number) => 2.4 * Math.exp(-step / 9) + 0.3 + (step % 4) * 0.02;
  const events: unknown[] = [{ kind: 'status', status: 'running', totalSteps }];
  const metricsSteps: TrainingMetrics['steps'] = [];
  const evaluations: TrainingMetrics['evaluations'] = [];
  const checkpoints: TrainingMetrics['checkpoints'] = [];
  for (let step = 1; step <= totalSteps; step++) {
    const epoch = step / perEpoch;
    // As the worker logs them: the total only in the opening status event.
    events.push({ kind: 'step', step, epoch, loss: stepLoss(step), learningRate: 0.0002 });
    metricsSteps.push({ step, epoch, train_loss: stepLoss(step) });
    if (step % perEpoch === 0) {
      const validLoss = epoch === 1 ? 0.71 : 0.74;
      events.push({ kind: 'eval', step, epoch, validLoss }, { kind: 'checkpoint', id: `checkpoint-${step}`, step, epoch, trainLoss: stepLoss(step), validLoss });
      evaluations.push({ step, epoch, valid_loss: validLoss });
      checkpoints.push({ id: `checkpoint-${step}`, step, epoch, train_loss: stepLoss(step), valid_loss: validLoss });
    }
  }
  writeJsonlAtomic(paths.train.events, events);
  const chosen = checkpoints[0]!;
  const metrics: TrainingMetrics = {
    trainer: 'local', provider: 'worker', job_id: null, base_model: 'Qwen/Qwen3-0.6B', method: 'sft', status: 'succeeded', checkpoint_rule: 'best_valid_loss', total_steps: totalSteps,
    steps: metricsSteps, evaluations,
    epochs: [1, 2].map((epoch) => {
      const losses = metricsSteps.filter((step) => Math.ceil(step.epoch! - 1e-6) === epoch).map((step) => step.train_loss!);
      return { epoch, step: epoch * perEpoch, train_loss: losses.reduce((sum, loss) => sum + loss, 0) / losses.length, valid_loss: evaluations[epoch - 1]!.valid_loss };
    }),
    checkpoints, chosen_checkpoint: chosen, trained_tokens: 12_345, cost: 0, served_model: null, adapter_dir: join(dir, 'train', 'adapter'), merged_dir: null, seconds: 84.2, train_seconds: 80.1, teacher_calls: 0, teacher_tokens: 0,
  };
  writeJsonAtomic(paths.train.metrics, metrics);

  // Evaluation: the student is wrong on every third item, the teacher on every fifth, the baseline on every second.
  const itemCount = options.evaluationItems ?? 30;
  const items = Array.from({ length: itemCount }, (_, index) => ({
    id: `item-${index}`, input: `she go to school ${index} days`, references: [`She goes to school ${index} days.`, `She went to school ${index} days.`],
    label: undefined, original: { input: '', references: [] }, strata: { length_bucket: index % 2 === 0 ? '1-10' : '11-20' },
  }));
  const rightWhen: Record<string, (index: number) => boolean> = { student: (index) => index % (options.studentWrongEvery ?? 3) !== 0, teacher: (index) => index % 5 !== 0, baseline: (index) => index % 2 !== 0 };
  const correct = Object.fromEntries(Object.entries(rightWhen).map(([model, right]) => [model, items.map((_, index) => right(index))]));
  const predictions: Record<string, PredictionRecord[]> = Object.fromEntries(
    Object.keys(rightWhen).map((model) => [
      model,
      items.map((item, index) => ({
        id: item.id, model, model_id: `${model}-model`, output: correct[model]![index] ? item.references[0]! : `She go to the school ${index} day.`, reasoning: null, finish_reason: 'stop',
        latency_ms: { student: 40, teacher: 900, baseline: 300 }[model]! + index * 3, time_to_first_token_ms: null, prompt_tokens: 20, completion_tokens: 10, cached: false, error: null,
      })),
    ]),
  );
  writeJsonlAtomic(paths.evaluate.predictions, Object.values(predictions).flat());
  writeJsonlAtomic(paths.evaluate.items, evaluationItemRows({ report: undefined as never, items, predictions, correct, examples: 0 }));
  writeJsonlAtomic(
    paths.evaluate.judgments,
    Object.entries(predictions).flatMap(([model, list]) =>
      list.map((prediction, index) => ({
        kind: 'reference', input: items[index]!.input, prediction: prediction.output, predictions: [{ model, id: prediction.id }], decision: correct[model]![index] ? 'valid' : 'invalid',
        source: correct[model]![index] ? 'reference_match' : 'judge', ...(correct[model]![index] ? {} : { reply: 'The correction leaves "go" unfixed. Verdict: invalid' }),
      })),
    ),
  );
  const analysis = classifyStudentErrors(items.map((item) => item.id), correct.student!, correct.teacher!);
  const share = (model: string) => correct[model]!.filter(Boolean).length / itemCount;
  const modelReport = (model: string) => ({
    model_id: `${model}-model`, endpoint: 'local', n: itemCount, failed: 0,
    metrics: { reference_match_then_judge: { value: share(model), ci95: [Math.max(0, share(model) - 0.15), Math.min(1, share(model) + 0.12)] as [number, number], method: 'wilson' } },
    latency_ms: { p50: predictions[model]![Math.floor(itemCount / 2)]!.latency_ms, p95: predictions[model]!.at(-2)!.latency_ms, p99: predictions[model]!.at(-1)!.latency_ms, mean: predictions[model]![Math.floor(itemCount / 2)]!.latency_ms },
    time_to_first_token_ms: null, throughput_rps: 8, tokens_per_request: { prompt: 20, completion: 10 }, cost_per_1k: model === 'student' ? 0 : 0.4, priced: true, cached: 0,
  });
  const report = evaluationReportSchema.parse({
    primary_metric: 'reference_match_then_judge',
    models: { student: modelReport('student'), teacher: modelReport('teacher'), baseline: modelReport('baseline') },
    comparisons: [], transfer_ratio: { value: share('student') / share('teacher'), ci95: [0.7, 0.95] }, speedup: { teacher: 20, baseline: 7 },
    judge_calls: { needed: 12, saved: 78 }, unparsable_verdicts: [], pairwise: null, error_analysis: { basis: 'reference_match_then_judge', ...analysis },
    strata: {}, verdict: { label: 'marginal', reason: 'the student keeps 83% of the teacher on reference_match_then_judge' }, notes: [],
  });
  writeJsonAtomic(paths.evaluate.report, report);

  // State: every stage done (one may be left running), a ledger, a request log with fallbacks.
  const database = openDatabase(paths.database);
  const served = options.servedRequests ?? 40;
  const fallbacks: Record<string, number> = {};
  const fellBackInputs = new Set<string>();
  try {
    const state = new RunState(database);
    for (const [name, figures] of [
      ['inputs', { inputs: raw }], ['generate', { outputs: raw, failed: 0 }], ['curate', { raw, kept: kept.length, dropped: droppedRows.length }], ['split', { train: kept.length - validationCount, validation: validationCount }],
      ['train', { steps: totalSteps }], ['evaluate', { items: itemCount }], ['report', {}],
    ] as [string, Record<string, unknown>][]) {
      state.startStage(name, `hash-${name}`);
      if (name !== options.runningStage) state.finishStage(name, figures);
    }
    state.record({ stage: 'generate', purpose: 'teacher', model: 'teacher-model', promptTokens: 30 * raw, completionTokens: 12 * raw, cost: 0.0123 });
    state.record({ stage: 'evaluate', purpose: 'judge', model: 'judge-model', promptTokens: 2000, completionTokens: 300, cost: 0.0042 });
    state.flush();
    const log = new RequestLog(database);
    const reasonsCycle = ['timeout', 'verifier_failed', 'error'] as const;
    for (let index = 0; index < served; index++) {
      const fellBack = index % 4 === 0;
      const reason = reasonsCycle[(index / 4) % 3]!;
      if (fellBack) fallbacks[reason] = (fallbacks[reason] ?? 0) + 1;
      if (fellBack) fellBackInputs.add(`he have ${index % 16} apples`);
      log.record({
        completionId: `chatcmpl-${index}`, at: new Date(Date.UTC(2026, 10, 29, 12, Math.floor(index / 8), index % 60)).toISOString(), model: 'grammar-checker', stream: false,
        input: `he have ${index % 16} apples`, studentOutput: fellBack && reason !== 'timeout' ? `He have ${index} apple` : fellBack ? null : `He has ${index} apples.`, finalOutput: `He has ${index} apples.`,
        servedBy: fellBack ? 'fallback' : 'student', fallbackReason: fellBack ? reason : null, fallbackDetail: fellBack ? `${reason} on the student` : null, status: 'ok', error: null,
        latencyMs: fellBack ? 900 : 45, promptTokens: 20, completionTokens: 8,
      });
    }
  } finally {
    database.close();
  }
  return { dir, funnel, droppedByReason, compression: analysis.ids.compression, inherited: analysis.ids.inherited, loggedSteps: totalSteps, chosenCheckpoint: chosen.id, report, fallbacks, fellBackInputs: fellBackInputs.size, served };
}
