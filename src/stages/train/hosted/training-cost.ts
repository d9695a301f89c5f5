import { priceFor } from '../../../llm/pricing.js';
import type { TrainingContext } from '../trainer.js';
import type { HostedJob } from './hosted-job.js';
import type { StoredJob } from './stored-job.js';

/** Trained tokens × `prices[base].training` (USD per 1M), written to the ledger once per job. */
export function recordTrainingCost(context: TrainingContext, job: HostedJob, stored: StoredJob): number {
  const { stage, settings } = context;
  const price = priceFor(stage.task.config.prices, settings.student.base)?.training;
  const tokens = job.trainedTokens ?? 0;
  const cost = price === undefined ? 0 : (tokens * price) / 1_000_000;
  if (stored.detail.cost_recorded !== true) {
    stage.state.record({ stage: 'train', purpose: 'training', model: settings.student.base, promptTokens: tokens, completionTokens: 0, cost });
    stored.update({ cost_recorded: true });
  }
  if (price === undefined) stage.emit({ type: 'log', stage: 'train', level: 'warn', message: `no training price for ${settings.student.base} under prices:, cost shown as 0` });
  return cost;
}
