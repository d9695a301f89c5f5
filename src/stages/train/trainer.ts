import type { StageContext } from '../context.js';
import type { StudentSettings } from './student-settings.js';
import type { TrainingResult } from './training-metrics.js';

/** What a trainer gets: the stage context, the checked student settings and the split files. */
export interface TrainingContext {
  stage: StageContext;
  settings: StudentSettings;
  trainFile: string;
  validationFile: string;
}

/**
 * One interface, two implementations (`hosted`: an OpenAI-compatible fine-tuning API; `local`: the Python
 * worker). Both write `train/job.json`, `train/events.jsonl` and `train/metrics.json` in the same shapes.
 */
export interface Trainer {
  readonly kind: 'hosted' | 'local';
  /** Starts a new training job. */
  start(context: TrainingContext): Promise<TrainingResult>;
  /** Re-attaches to the job an earlier, interrupted run started (never paying twice), or starts one. */
  resume(context: TrainingContext): Promise<TrainingResult>;
}
