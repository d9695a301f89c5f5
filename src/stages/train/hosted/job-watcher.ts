import { sleep } from '../../../llm/retry.js';
import type { TrainingRecorder } from '../training-recorder.js';
import type { FineTuningApi, HostedEvent, HostedJob } from './hosted-job.js';

export interface WatchOptions {
  pollMs: number;
  signal: AbortSignal;
  recorder: TrainingRecorder;
  cursor: string | undefined;
  /** Steps of the whole job, when an earlier run learned them from events that will not be replayed. */
  totalSteps: number | null;
  /** Called when new events moved the cursor (stored so a resumed run does not log them twice). */
  onCursor: (cursor: string) => void;
}

/** Epoch of a step when the job's step count and epochs are known (steps are spread evenly over epochs). */
export function epochAt(step: number, totalSteps: number | null, epochs: number | null): number | undefined {
  if (totalSteps === null || epochs === null || totalSteps <= 0) return undefined;
  return Math.round((step / (totalSteps / epochs)) * 10_000) / 10_000;
}

/**
 * Polls a job until it ends, streaming its events into the recorder: metric events become step and eval
 * events, the rest log lines. Returns the job in its final state (succeeded, failed or cancelled).
 */
export async function watchJob(api: FineTuningApi, jobId: string, options: WatchOptions): Promise<HostedJob> {
  let cursor = options.cursor;
  let lastStatus: string | undefined;
  let totalSteps = options.totalSteps;
  for (;;) {
    const job = await api.retrieve(jobId);
    if (job.status !== lastStatus) {
      lastStatus = job.status;
      options.recorder.record({ kind: 'status', status: job.status, ...(job.totalSteps === null ? {} : { totalSteps: job.totalSteps }) });
    }
    totalSteps = job.totalSteps ?? totalSteps;
    const page = await api.newEvents(jobId, cursor);
    for (const event of page.events) totalSteps = record(event, options.recorder, totalSteps, job.epochs);
    if (page.cursor !== undefined && page.cursor !== cursor) {
      cursor = page.cursor;
      options.onCursor(cursor);
    }
    if (job.phase === 'succeeded' || job.phase === 'failed' || job.phase === 'cancelled') return { ...job, totalSteps };
    await sleep(options.pollMs, options.signal);
  }
}

function record(event: HostedEvent, recorder: TrainingRecorder, totalSteps: number | null, epochs: number | null): number | null {
  if (event.step === undefined) {
    recorder.record({ kind: 'message', level: event.level === 'error' ? 'error' : event.level === 'warn' ? 'warn' : 'info', message: event.message });
    return totalSteps;
  }
  const steps = event.totalSteps ?? totalSteps;
  const epoch = epochAt(event.step, steps, epochs);
  recorder.record({ kind: 'step', step: event.step, epoch, loss: event.trainLoss, ...(steps === null ? {} : { totalSteps: steps }) });
  if (event.validLoss !== undefined) recorder.record({ kind: 'eval', step: event.step, epoch, validLoss: event.validLoss });
  return steps;
}
