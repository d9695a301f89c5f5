import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { delimiter } from 'node:path';
import { createInterface } from 'node:readline';
import { WorkerEnvironmentError } from '../training-errors.js';
import { workerDirectory } from '../../../local-worker/worker-location.js';

export interface WorkerRunOptions {
  python: string;
  /** Arguments after `-m distillery_worker`. */
  args: string[];
  cwd?: string;
  environment?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Every stdout line, as it arrives. */
  onLine?: (line: string) => void;
  /** Where the worker's stderr is appended (its log); it is kept in memory (last lines) either way. */
  logPath?: string;
  /** After SIGTERM on abort, how long before SIGKILL. */
  graceMs?: number;
  /** Run this script instead of `-m distillery_worker` (tests: a scripted fake worker). */
  script?: string;
  /** Interpreter arguments that start the worker module instead of `-m distillery_worker` (accelerate launch). */
  launcher?: string[];
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stderr. */
  logTail: string[];
  aborted: boolean;
}

const TAIL_LINES = 20;

/**
 * Runs `python -m distillery_worker …` with PYTHONPATH at the repository's `worker/` folder (no install of the
 * package itself). Stdout is handed over line by line; stderr goes to the log. An abort sends SIGTERM, then
 * SIGKILL after the grace period.
 */
export function runWorker(options: WorkerRunOptions): Promise<WorkerExit> {
  const environment = options.environment ?? process.env;
  const pythonPath = [workerDirectory(), environment.PYTHONPATH].filter((part) => part !== undefined && part !== '').join(delimiter);
  const args = options.script === undefined ? [...(options.launcher ?? ['-m', 'distillery_worker']), ...options.args] : [options.script, ...options.args];
  const child = spawn(options.python, args, {
    cwd: options.cwd,
    env: { ...environment, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.logPath === undefined ? undefined : createWriteStream(options.logPath, { flags: 'a' });
  const tail: string[] = [];
  const stderrLines = createInterface({ input: child.stderr, crlfDelay: Infinity });
  stderrLines.on('line', (line) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  });
  child.stderr.on('data', (chunk: Buffer) => log?.write(chunk));
  const stdoutLines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  stdoutLines.on('line', (line) => options.onLine?.(line));

  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    aborted = true;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 10_000);
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const stdoutDone = new Promise<void>((resolve) => stdoutLines.once('close', resolve));
  const stderrDone = new Promise<void>((resolve) => stderrLines.once('close', resolve));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      log?.end();
      reject(new WorkerEnvironmentError(`cannot start the worker with ${options.python}: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      void Promise.all([stdoutDone, stderrDone]).then(() => {
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        const finish = (): void => resolve({ code, signal, logTail: [...tail], aborted });
        if (log === undefined) finish();
        else log.end(finish);
      });
    });
  });
}

/** A worker stdout line as JSON, or undefined when it is missing or not JSON (callers then report the log tail). */
export function parseJsonLine(line: string | undefined): unknown {
  try {
    return line === undefined ? undefined : JSON.parse(line);
  } catch {
    return undefined;
  }
}
