import { z } from 'zod';

/**
 * What either trainer reports while it works, normalized: the hosted trainer turns provider statuses, events
 * and checkpoints into these, the local trainer the worker's JSON lines. Written to `train/events.jsonl`
 * (and read back, through this schema, when a run re-attaches to a hosted job).
 */
export const trainingEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('status'), status: z.string(), message: z.string().optional(), totalSteps: z.number().optional() }),
  z.object({
    kind: z.literal('step'),
    step: z.number(),
    epoch: z.number().optional(),
    loss: z.number().optional(),
    totalSteps: z.number().optional(),
    learningRate: z.number().optional(),
    tokensSeen: z.number().optional(),
  }),
  z.object({ kind: z.literal('eval'), step: z.number(), epoch: z.number().optional(), validLoss: z.number() }),
  z.object({ kind: z.literal('checkpoint'), id: z.string(), step: z.number(), epoch: z.number().optional(), trainLoss: z.number().optional(), validLoss: z.number().optional() }),
  z.object({ kind: z.literal('message'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);
export type TrainingEvent = z.infer<typeof trainingEventSchema>;

/** A checkpoint as metrics.json lists it, whichever trainer made it. */
export interface CheckpointSummary {
  id: string;
  step: number;
  epoch: number | null;
  train_loss: number | null;
  valid_loss: number | null;
}

/** `last`: the latest step. `best_valid_loss`: the lowest validation loss, the earliest on ties. */
export function chooseCheckpoint<C extends { step: number; valid_loss: number | null }>(checkpoints: readonly C[], rule: 'last' | 'best_valid_loss'): C | undefined {
  const ordered = [...checkpoints].sort((left, right) => left.step - right.step);
  if (rule === 'last') return ordered.at(-1);
  let best: C | undefined;
  for (const checkpoint of ordered) {
    if (checkpoint.valid_loss === null) continue;
    if (best === undefined || checkpoint.valid_loss < best.valid_loss!) best = checkpoint;
  }
  return best;
}
