/**
 * What stages report while they work. The core emits these and knows nothing of terminals; the CLI turns
 * them into progress bars or plain lines, the dashboard into charts.
 */
export type PipelineEvent =
  | { type: 'stage-started'; stage: string; total?: number }
  | { type: 'stage-progress'; stage: string; done: number; total: number; failed: number; retries: number; cost: number; cached?: number }
  | { type: 'stage-done'; stage: string; figures: Record<string, unknown> }
  | { type: 'stage-skipped'; stage: string; reason: string }
  | { type: 'stage-failed'; stage: string; error: string }
  | { type: 'batch-submitted'; stage: string; batchId: string; requests: number; round: number }
  | { type: 'batch-polled'; stage: string; batchId: string; status: string; completed: number; failed: number; total: number }
  | { type: 'training-step'; stage: string; step: number; totalSteps?: number; epoch?: number; loss?: number }
  | { type: 'log'; stage: string; level: 'info' | 'warn'; message: string };

export type EventSink = (event: PipelineEvent) => void;
