import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeJsonAtomic } from '../data/jsonl.js';
import type { StageContext } from '../stages/context.js';
import { STAGES } from './stage-hash.js';

const verdictSchema = z.object({ verdict: z.object({ label: z.string(), reason: z.string() }).optional() }).passthrough();

/**
 * The `report` stage: `run.json` with every stage's state, figures and time, and the cost ledger summed
 * across the run (generation, judging, training, evaluation). The evaluation report itself (report.md,
 * report.html) is written by the evaluate stage, which holds the predictions it shows.
 */
export async function writeRunSummary(context: StageContext): Promise<Record<string, unknown>> {
  const ledger = context.state.ledger();
  const byStage: Record<string, number> = {};
  for (const entry of ledger) byStage[entry.stage] = (byStage[entry.stage] ?? 0) + entry.cost;
  const total = ledger.reduce((sum, entry) => sum + entry.cost, 0);
  const stages = STAGES.map((name) => context.state.stage(name)).filter((row) => row !== undefined);
  const evaluation = existsSync(context.paths.evaluate.report) ? verdictSchema.parse(JSON.parse(readFileSync(context.paths.evaluate.report, 'utf8'))) : undefined;
  writeJsonAtomic(`${context.paths.root}/run.json`, {
    name: context.task.config.name,
    config: context.task.file,
    stages: stages.map((row) => ({ name: row.name, state: row.state, started_at: row.startedAt, finished_at: row.finishedAt, figures: row.figures })),
    ledger,
    cost: { total, by_stage: byStage },
    verdict: evaluation?.verdict ?? null,
    reports: { markdown: context.paths.reportMarkdown, html: context.paths.reportHtml },
  });
  if (evaluation?.verdict) context.emit({ type: 'log', stage: 'report', level: 'info', message: `verdict: ${evaluation.verdict.label}: ${evaluation.verdict.reason}` });
  return { total_cost: total, verdict: evaluation?.verdict?.label ?? null };
}
