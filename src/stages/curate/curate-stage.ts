import { existsSync } from 'node:fs';
import { writeJsonAtomic, writeJsonlAtomic } from '../../data/jsonl.js';
import { DataError } from '../../errors.js';
import { createEmbeddings } from '../../llm/embeddings.js';
import type { ModelClient } from '../../llm/model-client.js';
import { modelChat } from '../model-chat.js';
import { stageClient } from '../stage-client.js';
import { estimateTokens } from '../../llm/token-estimate.js';
import type { StageContext } from '../context.js';
import { ensureDir } from '../run-paths.js';
import { Budget } from '../generate/budget.js';
import { priceFor } from '../../llm/pricing.js';
import { buildFilters } from './build-filters.js';
import type { ChatFunction, EmbedFunction } from './chat.js';
import { renderFunnel } from './funnel.js';
import { readGeneratedRecords } from './read-generated-records.js';
import { runCuration } from './run-curation.js';

export interface CurateFigures {
  raw: number;
  kept: number;
  dropped: number;
  funnel: string;
  [key: string]: unknown;
}

const STAGE = 'curate';

/**
 * `generate/outputs.jsonl` → `curate/kept.jsonl`, `dropped.jsonl` (each with its one reason and the filter's
 * detail) and `funnel.json`. Judge calls go through the same cached, retrying client as generation, so a
 * resumed curation pays for no verdict twice; their cost goes to the ledger.
 */
export async function runCurateStage(context: StageContext): Promise<CurateFigures> {
  const source = context.paths.generate.outputs;
  if (!existsSync(source)) throw new DataError('no teacher outputs yet: run the generate stage first', source);
  ensureDir(context.paths.curate.dir);
  const records = await readGeneratedRecords(source);
  const clients = new Map<string, Promise<ModelClient>>();
  const clientFor = (endpoint: string, model: string): Promise<ModelClient> => {
    let client = clients.get(endpoint);
    if (!client) {
      client = stageClient(context, endpoint, model, 8).then(({ client: created }) => created);
      clients.set(endpoint, client);
    }
    return client;
  };
  const chatFor = ({ endpoint, model }: { endpoint: string; model: string }): ChatFunction => {
    const budget = new Budget(context.state, STAGE, 'judge', model, priceFor(context.task.config.prices, model), undefined);
    return modelChat({ client: () => clientFor(endpoint, model), parameters: { model, temperature: 0, max_tokens: 1024 }, signal: context.signal, onPaid: (usage) => budget.charge(usage) });
  };
  const embeddings = context.task.config.embeddings;
  const embed: EmbedFunction | undefined = embeddings
    ? async (texts) => createEmbeddings((await context.endpoint(embeddings.endpoint, embeddings.model)).http, embeddings.model, texts)
    : undefined;
  const { order, filters } = await buildFilters(context.task.config.curate, { configDirectory: context.task.dir, chatFor, embed, countTokens: estimateTokens }, context.task.file);
  const result = await runCuration(records, filters, { order });
  writeJsonlAtomic(context.paths.curate.kept, result.kept);
  writeJsonlAtomic(
    context.paths.curate.dropped,
    result.dropped.map(({ record, reason, detail }) => ({ ...record, reason, detail })),
  );
  writeJsonAtomic(context.paths.curate.funnel, result.funnel);
  const line = renderFunnel(result.funnel);
  context.emit({ type: 'log', stage: STAGE, level: 'info', message: line });
  for (const [reason, examples] of Object.entries(result.funnel.examples)) {
    for (const example of examples) {
      context.emit({ type: 'log', stage: STAGE, level: 'info', message: `  dropped (${reason}) ${example.id}: ${JSON.stringify(example.output).slice(0, 120)}` });
    }
  }
  if (result.kept.length === 0) throw new DataError(`curation kept nothing (${line}); see ${context.paths.curate.dropped}`, context.paths.curate.kept);
  return { raw: result.funnel.raw, kept: result.kept.length, dropped: result.dropped.length, funnel: line };
}
