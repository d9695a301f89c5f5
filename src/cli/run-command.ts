import { DistilleryError, errorMessage } from '../errors.js';
import { loadTask } from '../config/load.js';
import { localEndpoints } from '../pipeline/local-endpoint.js';
import { openRunFor, type OpenRun } from '../pipeline/open-run.js';
import { createProgressView } from './progress-view.js';
import { interruptSignal } from './interrupt.js';

export interface CommandRun extends OpenRun {
  local: ReturnType<typeof localEndpoints>;
}

/**
 * Opens the run with a progress view, Ctrl-C handling and the `local` endpoint (worker servers, started only
 * if a stage asks for one and stopped at the end), runs `body`, and closes everything whatever happens.
 */
export async function withRun(configPath: string, runDir: string, body: (run: CommandRun) => Promise<void>): Promise<void> {
  const view = createProgressView();
  const interrupt = interruptSignal();
  let run: CommandRun | undefined;
  try {
    const task = loadTask(configPath);
    const local = localEndpoints(task, runDir);
    const opened = openRunFor(task, { runDir, emit: view.handle, signal: interrupt.signal, localEndpoint: (model) => local.endpoint(model) });
    run = { ...opened, local };
    await body(run);
  } finally {
    view.stop();
    interrupt.dispose();
    await run?.local.models.stopAll();
    await run?.close();
  }
}

export function reportError(error: unknown): number {
  const message = errorMessage(error);
  process.stderr.write(`error: ${message}\n`);
  if (!(error instanceof DistilleryError) && error instanceof Error && error.stack && process.env.DISTILLERY_DEBUG) process.stderr.write(`${error.stack}\n`);
  return error instanceof DistilleryError && error.name === 'AbortedError' ? 130 : 1;
}
