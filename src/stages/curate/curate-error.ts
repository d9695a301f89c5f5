import { DistilleryError } from '../../errors.js';

/** A curation failure that is not a bad config: a broken invariant or an unusable injected dependency. */
export class CurateError extends DistilleryError {}
