import { DistilleryError } from '../../errors.js';

/** Training failed: the worker crashed or reported a typed error (`workerErrorType`, e.g. OutOfMemory). */
export class TrainingError extends DistilleryError {
  constructor(
    message: string,
    readonly details: { workerErrorType?: string; logTail?: string[]; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
  }
}

/** A hosted fine-tuning job ended failed or cancelled; the message is the provider's. */
export class FineTuningJobError extends DistilleryError {
  constructor(
    message: string,
    readonly jobId: string,
    readonly status: string,
  ) {
    super(message);
  }
}

export { WorkerEnvironmentError } from '../../local-worker/worker-environment.js';
