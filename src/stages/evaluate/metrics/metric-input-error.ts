import { DistilleryError } from '../../../errors.js';

/** Inputs a metric cannot score: mismatched lengths, no references, a bad option. Never retryable. */
export class MetricInputError extends DistilleryError {}
