/**
 * What either trainer reports while it works, normalized: the hosted trainer turns provider statuses, events
 * and checkpoints into these, the local trainer the worker's JSON lines. Written to `train/events.jsonl`.
 */
export type TrainingEvent =
  | { kind: 'status'; status: string; message?: string; totalSteps?: number }
  | { kind: 'step'; step: number; epoch?: number; loss?: number; totalSteps?: number; learningRate?: number; tokensSeen?: number }
  | { kind: 'eval'; step: number; epoch?: number; validLoss: number }
  | { kind: 'checkpoint'; id: string; step: number; epoch?: number; trainLoss?: number; validLoss?: number }
  | { kind: 'message'; level: 'info' | 'warn' | 'error'; message: string };

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
