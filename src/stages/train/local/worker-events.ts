import { z } from 'zod';

/** The worker's JSON-lines events (worker/distillery_worker/train.py, events.py): only the fields used. */
const nullableNumber = z.number().nullable().optional();

export const workerEventSchema = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('start'),
    total_steps: z.number().int().nonnegative().optional(),
    train_examples: z.number().int().optional(),
    validation_examples: z.number().int().optional(),
    device: z.string().optional(),
    versions: z.record(z.string(), z.string()).optional(),
  }),
  z.object({
    event: z.literal('step'),
    step: z.number().int(),
    epoch: nullableNumber,
    loss: nullableNumber,
    learning_rate: nullableNumber,
    tokens_seen: nullableNumber,
  }),
  z.object({ event: z.literal('eval'), step: z.number().int(), epoch: nullableNumber, valid_loss: z.number().nullable() }),
  z.object({ event: z.literal('checkpoint'), step: z.number().int(), epoch: nullableNumber, valid_loss: nullableNumber, path: z.string().optional() }),
  z.object({
    event: z.literal('done'),
    adapter_dir: z.string().nullable().optional(),
    merged_dir: z.string().nullable().optional(),
    model_dir: z.string().nullable().optional(),
    chosen_checkpoint: z.object({ step: z.number().int(), epoch: nullableNumber, valid_loss: nullableNumber }).optional(),
    trained_tokens: nullableNumber,
    seconds: nullableNumber,
    train_seconds: nullableNumber,
    teacher_calls: z.number().int().nonnegative().optional(),
    teacher_tokens: z.number().int().nonnegative().optional(),
  }),
  z.object({ event: z.literal('error'), type: z.string().default('TrainingError'), message: z.string() }),
]);
export type WorkerEvent = z.infer<typeof workerEventSchema>;

/** One stdout line: an event, or `undefined` for anything else (a stray print, a torn line). */
export function parseWorkerLine(line: string): WorkerEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = workerEventSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
