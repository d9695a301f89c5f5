import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePrompt } from '../../config/load.js';
import type { PromptSpec } from '../../data/chat-format.js';
import { readJsonl, writeJsonAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import { DataError, errorMessage } from '../../errors.js';
import type { StageContext } from '../context.js';
import { ensureDir } from '../run-paths.js';
import { parseKeptRecord, type KeptRecord } from './kept-record.js';
import { partitionIds } from './partition.js';
import { estimateTokenStatistics, type TokenStatistics } from './token-statistics.js';
import { alpacaRow, messagesRow, promptCompletionRow, type MessagesRow, type ReasoningPlacement } from './training-formats.js';
import { workerTokenCounter, type TokenCounter } from './worker-token-statistics.js';

export interface SplitFigures {
  rows: number;
  train: number;
  validation: number;
  seed: number;
  formats: string[];
  estimated_train_tokens: number;
  /** From the student's tokenizer, when it could be counted. */
  train_tokens: number | null;
  [key: string]: unknown;
}

export interface SplitStageOptions {
  /** Real token counts; default: the worker's `tokens` command when the trainer is local. */
  tokenCounter?: TokenCounter | null;
}

const STAGE = 'split';

/**
 * `curate/kept.jsonl` → `split/train.jsonl` and `split/validation.jsonl` (chat `messages`: the student's system
 * prompt, the templated input, the assistant prefix and the teacher's output), a seeded partition by id, with
 * Alpaca and prompt/completion copies when `split.formats` asks, and `split/stats.json`.
 */
export async function runSplitStage(context: StageContext, options: SplitStageOptions = {}): Promise<SplitFigures> {
  const { split, student } = context.task.config;
  const paths = context.paths.split;
  const records = await readKept(context.paths.curate.kept);
  const { train, validation } = partitionIds([...records.keys()], split.validation, split.seed, context.paths.curate.kept);
  const spec: PromptSpec = {
    system: resolvePrompt(context.task, student?.system, 'student.system'),
    userTemplate: student?.user_template,
    assistantPrefix: student?.assistant_prefix,
  };
  const placement = reasoningPlacement(split.include_reasoning, student?.trainer);
  const rowsOf = (ids: string[]): MessagesRow[] => ids.map((id) => messagesRow(spec, records.get(id)!, placement));
  const withoutTrace = split.include_reasoning ? [...records.values()].filter((record) => !record.reasoning?.trim()).length : 0;
  if (withoutTrace > 0) {
    context.emit({ type: 'log', stage: STAGE, level: 'warn', message: `${withoutTrace} of ${records.size} rows have no reasoning trace and train on the answer alone (the curate step reasoning drops them)` });
  }
  const halves = { train: rowsOf(train), validation: rowsOf(validation) };

  ensureDir(paths.dir);
  writeJsonlAtomic(paths.train, halves.train);
  writeJsonlAtomic(paths.validation, halves.validation);
  for (const format of split.formats) {
    if (format === 'messages') continue;
    const convert: (row: MessagesRow) => object = format === 'alpaca' ? alpacaRow : promptCompletionRow;
    for (const [name, rows] of Object.entries(halves)) writeJsonlAtomic(join(paths.dir, `${name}.${format}.jsonl`), rows.map(convert));
  }

  const counter = options.tokenCounter === undefined ? workerTokenCounter(context.task, context.environment, context.signal) : (options.tokenCounter ?? undefined);
  if (counter === undefined && options.tokenCounter === undefined && student?.trainer === 'local') {
    context.emit({ type: 'log', stage: STAGE, level: 'info', message: 'no worker environment installed yet: token counts are estimates (the train stage installs it)' });
  }
  const real = counter === undefined ? undefined : await countTokens(context, counter, { train: paths.train, validation: paths.validation });
  const estimated = { train: estimateTokenStatistics(halves.train), validation: estimateTokenStatistics(halves.validation) };
  writeJsonAtomic(paths.stats, {
    rows: records.size,
    seed: split.seed,
    validation_setting: split.validation,
    formats: split.formats,
    ...(split.include_reasoning ? { reasoning: { placement, rows_with_trace: records.size - withoutTrace, rows_without_trace: withoutTrace } } : {}),
    train: { count: train.length, estimated: estimated.train, tokenizer: real?.train ?? null },
    validation: { count: validation.length, estimated: estimated.validation, tokenizer: real?.validation ?? null },
  });
  return {
    rows: records.size,
    train: train.length,
    validation: validation.length,
    seed: split.seed,
    formats: split.formats,
    estimated_train_tokens: estimated.train.tokens.total,
    train_tokens: real?.train.tokens.total ?? null,
  };
}

/** The local worker places a trace per the student's template; hosted trainers get text, so it goes inline. */
function reasoningPlacement(include: boolean, trainer: 'local' | 'hosted' | undefined): ReasoningPlacement {
  if (!include) return 'none';
  return trainer === 'hosted' ? 'inline' : 'field';
}

async function readKept(file: string): Promise<Map<string, KeptRecord>> {
  if (!existsSync(file)) throw new DataError('no curated rows yet: run the curate stage first', file);
  const records = new Map<string, KeptRecord>();
  for await (const { line, value } of readJsonl(file)) {
    const record = parseKeptRecord(value, file, line);
    if (records.has(record.id)) throw new DataError(`duplicate id '${record.id}'`, file, line);
    records.set(record.id, record);
  }
  return records;
}

/** Real token statistics are a bonus: failing to get them is a warning, never a stop. */
async function countTokens(context: StageContext, counter: TokenCounter, files: { train: string; validation: string }): Promise<{ train: TokenStatistics; validation: TokenStatistics } | undefined> {
  try {
    return { train: await counter(files.train), validation: await counter(files.validation) };
  } catch (error) {
    context.emit({ type: 'log', stage: STAGE, level: 'warn', message: `no token statistics from the student's tokenizer (estimates only): ${errorMessage(error)}` });
    return undefined;
  }
}
