import { DistilleryError } from '../../../errors.js';

/** Arguments a statistic cannot work with (empty samples, mismatched pairs, a confidence outside (0, 1)). */
export class StatsInputError extends DistilleryError {}
