import { DistilleryError, errorMessage } from '../errors.js';
import { openRun, type OpenRun } from '../pipeline/open-run.js';
import { createProgressView } from './progress-view.js';
import { interruptSignal } from './interrupt.js';

/** Opens the run with a progress view and Ctrl-C handling, runs `body`, and turns errors into exit codes. */
export async function withRun(configPath: string, runDir: string, body: (run: OpenRun) => Promise<void>): Promise<void> {
  const view = createProgressView();
  const interrupt = interruptSignal();
  let run: OpenRun | undefined;
  try {
    run = openRun({ configPath, runDir, emit: view.handle, signal: interrupt.signal });
    await body(run);
  } finally {
    view.stop();
    interrupt.dispose();
    await run?.close();
  }
}

export function reportError(error: unknown): number {
  const message = errorMessage(error);
  process.stderr.write(`error: ${message}\n`);
  if (!(error instanceof DistilleryError) && error instanceof Error && error.stack && process.env.DISTILLERY_DEBUG) process.stderr.write(`${error.stack}\n`);
  return error instanceof DistilleryError && error.name === 'AbortedError' ? 130 : 1;
}
