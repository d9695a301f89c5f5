import { writeJsonAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import { AbortedError, ConfigError } from '../../errors.js';
import { costOf, priceFor } from '../../llm/pricing.js';
import type { Usage } from '../../llm/protocol.js';
import { evaluationReportSchema } from '../../report/evaluation-report-schema.js';
import type { StageContext } from '../context.js';
import { ensureDir } from '../run-paths.js';
import { buildReport } from './build-report.js';
import { resolveComparedModels } from './compared-model.js';
import { evaluateConfigSchema, primaryMetricOf, STUDENT, TEACHER, type EvaluateConfig } from './evaluate-config.js';
import { evaluationClient } from './evaluation-client.js';
import { generatePredictions } from './generate-predictions.js';
import { judgeAsker } from './judge-asker.js';
import { judgeTemplates } from './judge-prompts.js';
import { judgePairwise } from './pairwise-judge.js';
import type { PredictionRecord } from './prediction-record.js';
import { readEvaluationSet } from './evaluation-set.js';
import { answeredByAll, checkErrorRate, EvaluationFailedError, requestFailures } from './request-failures.js';
import { judgeAgainstReferences } from './reference-judge.js';
import { writeReports } from './write-reports.js';
import type { StudentResolver } from './student-resolver.js';

export interface EvaluateFigures {
  items: number;
  models: string[];
  primary_metric: string;
  student: number | undefined;
  teacher: number | undefined;
  verdict: string;
  judge_calls: number;
  [key: string]: unknown;
}

const STAGE = 'evaluate';

const sum = <T>(rows: readonly T[], pick: (row: T) => number): number => rows.reduce((total, row) => total + pick(row), 0);

/** What the stage paid for (cached answers cost nothing again) goes to the run's ledger. */
function recordSpending(context: StageContext, purpose: string, model: string, usage: Usage): void {
  if (usage.prompt_tokens === 0 && usage.completion_tokens === 0) return;
  const cost = costOf(usage, priceFor(context.task.config.prices, model));
  context.state.record({ stage: STAGE, purpose, model, promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cost });
}

export function evaluateConfigOf(context: StageContext): EvaluateConfig {
  const { task } = context;
  if (task.config.evaluate === undefined) throw new ConfigError(`${task.file}: evaluate: the section is missing`, task.file, 'evaluate');
  const parsed = evaluateConfigSchema.safeParse(task.config.evaluate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = ['evaluate', ...issue.path.map(String)].join('.');
    throw new ConfigError(`${task.file}: ${key}: ${issue.message}`, task.file, key);
  }
  return parsed.data;
}

/**
 * Asks every compared model about every evaluation item (one model at a time, at the configured concurrency,
 * so latencies are measured under the same load), judges, scores, and writes `evaluate/predictions.jsonl`,
 * `judgments.jsonl`, `report.json`, and the run's `report.md` and `report.html`.
 */
export interface EvaluateStageOptions {
  /**
   * Answers some models already gave to these items (in the evaluation set's order), used instead of asking them
   * again: `distillery compare` asks the teacher and the base once for all its variants.
   */
  known?: Record<string, PredictionRecord[]>;
}

export async function runEvaluateStage(context: StageContext, resolver?: StudentResolver, options: EvaluateStageOptions = {}): Promise<EvaluateFigures> {
  const { task, paths, signal } = context;
  const config = evaluateConfigOf(context);
  ensureDir(paths.evaluate.dir);
  const allItems = await readEvaluationSet(task, config.data, { environment: context.environment, log: (message) => context.emit({ type: 'log', stage: STAGE, level: 'info', message }) });
  const models = await resolveComparedModels(task, config, resolver);
  const total = allItems.length * models.length;
  let done = 0;
  let failed = 0;
  context.emit({ type: 'stage-started', stage: STAGE, total });

  const asked: Record<string, PredictionRecord[]> = {};
  let retries = 0;
  for (const model of models) {
    const known = options.known?.[model.name];
    if (known !== undefined && known.length === allItems.length && known.every((record, index) => record.id === allItems[index]!.id)) {
      asked[model.name] = known;
      done += known.length;
      context.emit({ type: 'stage-progress', stage: STAGE, done, total, failed, retries, cost: 0 });
      continue;
    }
    const { client, retries: modelRetries } = await evaluationClient(context, model.endpoint, model.model, config.concurrency);
    const progress = (prediction: PredictionRecord): void => {
      if (prediction.error !== null) failed++;
      context.emit({ type: 'stage-progress', stage: STAGE, done: ++done, total, failed, retries: retries + modelRetries(), cost: 0 });
    };
    asked[model.name] = await generatePredictions(model, allItems, client, { workers: config.concurrency, signal, onDone: progress });
    retries += modelRetries();
    const paid = asked[model.name]!.filter((record) => !record.cached);
    recordSpending(context, `evaluate ${model.name}`, model.model, { prompt_tokens: sum(paid, (record) => record.prompt_tokens), completion_tokens: sum(paid, (record) => record.completion_tokens) });
    if (signal.aborted) throw new AbortedError('stopped during evaluation; answers so far are cached, run the same command again to continue');
  }
  writeJsonlAtomic(paths.evaluate.predictions, Object.values(asked).flat());
  checkErrorRate(asked, config.max_error_rate);
  const failures = requestFailures(asked);
  const { items, predictions } = answeredByAll(allItems, asked);
  if (items.length === 0 && allItems.length > 0) throw new EvaluationFailedError(`evaluation stopped: no item was answered by every model (${failures.length} requests failed, e.g. ${failures[0]?.error ?? 'no error recorded'})`);
  if (failures.length > 0) context.emit({ type: 'log', stage: STAGE, level: 'warn', message: `${failures.length} requests failed; ${allItems.length - items.length} items are left out of the scores (report.json request_errors)` });

  const outputs = Object.fromEntries(Object.entries(predictions).map(([name, records]) => [name, records.map((record) => record.output)]));
  let reference;
  let pairwise;
  if (config.judge) {
    const judge = config.judge;
    const { client } = await evaluationClient(context, judge.endpoint, judge.model, config.concurrency);
    const spent = { prompt_tokens: 0, completion_tokens: 0 };
    const ask = judgeAsker(client, judge, signal, spent);
    const templates = judgeTemplates(task, judge);
    const common = { workers: config.concurrency, signal };
    if (config.metrics.includes('reference_match_then_judge')) {
      reference = await judgeAgainstReferences(items, outputs, ask, { ...common, template: templates.validity });
      const calls = reference.judgeCalls;
      context.emit({ type: 'log', stage: STAGE, level: 'info', message: `reference judge: ${calls.needed} pairs judged, ${calls.saved} predictions settled without a call, ${reference.unparsable.length} unparsable` });
    }
    if (config.pairwise) {
      const { against, sample, both_orders: bothOrders } = config.pairwise;
      pairwise = await judgePairwise(items, outputs, ask, { ...common, student: STUDENT, against, sample, bothOrders, seed: config.seed, template: templates.pairwise });
      context.emit({ type: 'log', stage: STAGE, level: 'info', message: `pairwise judge: ${pairwise.length} comparisons of ${STUDENT} with ${against}` });
    }
    recordSpending(context, 'evaluate judge', judge.model, spent);
    if (signal.aborted) throw new AbortedError('stopped while judging; verdicts so far are cached, run the same command again to continue');
  }
  writeJsonlAtomic(paths.evaluate.judgments, [...(reference?.judgments ?? []), ...(pairwise ?? [])]);

  const built = buildReport({ config, items, models, predictions, reference, pairwise, prices: task.config.prices, requestFailures: failures, itemsAsked: allItems.length });
  const report = evaluationReportSchema.parse(built.report);
  writeJsonAtomic(paths.evaluate.report, report);
  writeReports(context, { report, items, predictions, correct: built.correct, examples: config.examples });

  const primary = primaryMetricOf(config);
  return {
    items: items.length,
    models: models.map((model) => model.name),
    primary_metric: primary,
    student: report.models[STUDENT]?.metrics[primary]?.value,
    teacher: report.models[TEACHER]?.metrics[primary]?.value,
    verdict: report.verdict.label,
    judge_calls: report.judge_calls?.needed ?? 0,
  };
}
