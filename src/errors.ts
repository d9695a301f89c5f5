/**
 * The one error base of the project. Retries are driven by `isRetryable` only, never by message text.
 * Subclasses add what the catcher needs (url and status for HTTP, file and line for data, key for config).
 */
export class DistilleryError extends Error {
  readonly isRetryable: boolean;

  constructor(message: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.isRetryable = options.isRetryable ?? false;
  }
}

/** A config file that does not parse or validate; `key` is the dotted path of the offending entry. */
export class ConfigError extends DistilleryError {
  constructor(
    message: string,
    readonly file: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

/** A malformed data row: `file:line` and what is wrong. */
export class DataError extends DistilleryError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
  }
}

/** A spending limit was reached; nothing more is submitted. */
export class BudgetExceededError extends DistilleryError {}

/** The user stopped the run (Ctrl-C); work done so far is kept for resume. */
export class AbortedError extends DistilleryError {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
