import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** What the report shows from earlier stages; each part is absent when its file is missing or unreadable. */
export interface EarlierStages {
  funnel: CurationFunnel | undefined;
  losses: LossCurves | undefined;
}

export const funnelSchema = z.object({
  raw: z.number(),
  steps: z.array(z.object({ filter: z.string(), kept: z.number(), dropped: z.number() })),
  kept: z.number(),
});
export type CurationFunnel = z.infer<typeof funnelSchema>;

export interface LossCurves {
  /** `epoch` or `step`: what one point of the curves is. */
  unit: string;
  train: number[];
  valid: number[];
}

const lossArrays = z.object({ train_loss: z.array(z.number()).optional(), valid_loss: z.array(z.number()).optional() });
const lossPoint = z.object({ train_loss: z.number().nullish(), valid_loss: z.number().nullish() });
const lossListSchema = z.object({ epochs: z.array(lossPoint).optional(), steps: z.array(lossPoint).optional() });

function readJson(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `train/metrics.json`: `{train_loss: [], valid_loss: []}` arrays, or `{epochs|steps: [{train_loss, valid_loss}]}`. */
export function lossCurvesOf(value: unknown): LossCurves | undefined {
  const arrays = lossArrays.safeParse(value);
  if (arrays.success && (arrays.data.train_loss?.length || arrays.data.valid_loss?.length)) {
    const unit = (value as { unit?: unknown }).unit;
    return { unit: typeof unit === 'string' ? unit : 'epoch', train: arrays.data.train_loss ?? [], valid: arrays.data.valid_loss ?? [] };
  }
  const lists = lossListSchema.safeParse(value);
  if (!lists.success) return undefined;
  const [unit, points] = lists.data.epochs?.length ? ['epoch', lists.data.epochs] : ['step', lists.data.steps ?? []];
  if (points.length === 0) return undefined;
  const numbers = (key: 'train_loss' | 'valid_loss'): number[] => points.flatMap((point) => (typeof point[key] === 'number' ? [point[key]] : []));
  return { unit, train: numbers('train_loss'), valid: numbers('valid_loss') };
}

export function readEarlierStages(paths: { funnel: string; trainMetrics: string }): EarlierStages {
  const funnel = funnelSchema.safeParse(readJson(paths.funnel));
  return { funnel: funnel.success ? funnel.data : undefined, losses: lossCurvesOf(readJson(paths.trainMetrics)) };
}
