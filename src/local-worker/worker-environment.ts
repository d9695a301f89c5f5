import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../llm/retry.js';
import { DistilleryError } from '../errors.js';

/** The worker's Python environment could not be found or created. */
export class WorkerEnvironmentError extends DistilleryError {}
import { workerDirectory } from './worker-location.js';

export const INSTALLED_MARKER = '.distillery-installed';

/** Runs one install command; resolves on exit status 0. Injectable so tests install nothing. */
export type CommandRunner = (command: string, args: string[], log: (line: string) => void) => Promise<void>;

export interface WorkerEnvironmentOptions {
  environment?: NodeJS.ProcessEnv;
  /** `student.python`: an interpreter of an existing environment, used as is. */
  configuredPython?: string;
  /** Default `~/.cache/distillery`. */
  cacheRoot?: string;
  requirementsPath?: string;
  log?: (line: string) => void;
  runCommand?: CommandRunner;
  /** How long to wait for another process's install before giving up (default 1 hour). */
  lockTimeoutMs?: number;
  /** A lock older than this without a live owner is taken over (default 2 hours). */
  staleLockMs?: number;
}

/** The interpreter to use as is, when one is given: `DISTILLERY_WORKER_PYTHON`, then `student.python`. */
export function givenPython(options: Pick<WorkerEnvironmentOptions, 'environment' | 'configuredPython'>): string | undefined {
  const fromEnvironment = (options.environment ?? process.env).DISTILLERY_WORKER_PYTHON;
  return fromEnvironment !== undefined && fromEnvironment !== '' ? fromEnvironment : options.configuredPython;
}

/** `~/.cache/distillery/worker-<first 12 hex of sha256(requirements.txt)>`: a new pin set gets a new environment. */
export function environmentDirectory(options: Pick<WorkerEnvironmentOptions, 'cacheRoot' | 'requirementsPath'> = {}): string {
  const requirements = options.requirementsPath ?? join(workerDirectory(), 'requirements.txt');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  return join(options.cacheRoot ?? join(homedir(), '.cache', 'distillery'), `worker-${hash}`);
}

function pythonIn(directory: string): string {
  return process.platform === 'win32' ? join(directory, 'Scripts', 'python.exe') : join(directory, 'bin', 'python');
}

/** The worker's interpreter if one is given or already installed; never installs (token statistics use this). */
export function installedWorkerPython(options: WorkerEnvironmentOptions = {}): string | undefined {
  const given = givenPython(options);
  if (given !== undefined) return given;
  const directory = environmentDirectory(options);
  return existsSync(join(directory, INSTALLED_MARKER)) ? pythonIn(directory) : undefined;
}

/**
 * The worker's interpreter, creating its virtual environment on first use: `python3 -m venv`, then
 * `pip install -r worker/requirements.txt`. A lock file keeps two processes from installing at once; the
 * marker is written only after a successful install, so a failed or interrupted one is redone.
 */
export async function ensureWorkerPython(options: WorkerEnvironmentOptions = {}): Promise<string> {
  const given = givenPython(options);
  if (given !== undefined) return given;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const requirements = options.requirementsPath ?? join(workerDirectory(), 'requirements.txt');
  const directory = environmentDirectory({ ...options, requirementsPath: requirements });
  const marker = join(directory, INSTALLED_MARKER);
  if (existsSync(marker)) return pythonIn(directory);

  const release = await acquireLock(`${directory}.lock`, options.lockTimeoutMs ?? 3_600_000, options.staleLockMs ?? 7_200_000, log);
  try {
    if (existsSync(marker)) return pythonIn(directory); // another process installed it while we waited
    const run = options.runCommand ?? runCommand;
    log(`Installing the training worker's Python environment in ${directory}`);
    log('  (torch, transformers, trl, peft: several GB with the CUDA libraries; this happens once per requirements.txt and can take 10 minutes or more)');
    rmSync(directory, { recursive: true, force: true });
    await run((options.environment ?? process.env).DISTILLERY_BOOTSTRAP_PYTHON ?? 'python3', ['-m', 'venv', directory], log);
    await run(pythonIn(directory), ['-m', 'pip', 'install', '--upgrade', 'pip'], log);
    await run(pythonIn(directory), ['-m', 'pip', 'install', '-r', requirements], log);
    writeFileSync(marker, `${JSON.stringify({ requirements, installed_at: new Date().toISOString() })}\n`);
    log(`Worker environment ready: ${pythonIn(directory)}`);
    return pythonIn(directory);
  } finally {
    release();
  }
}

async function acquireLock(path: string, timeoutMs: number, staleMs: number, log: (line: string) => void): Promise<() => void> {
  mkdirSync(join(path, '..'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const handle = openSync(path, 'wx');
      writeFileSync(handle, String(process.pid));
      closeSync(handle);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStale(path, staleMs)) {
      rmSync(path, { force: true });
      continue;
    }
    if (!announced) {
      log(`Another process is installing the worker environment (lock ${path}); waiting for it…`);
      announced = true;
    }
    if (Date.now() > deadline) throw new WorkerEnvironmentError(`timed out waiting for the worker environment lock ${path}; remove it if no install is running`);
    await sleep(200);
  }
}

/** A lock whose owner process is gone, or that is older than `staleMs`. */
function isStale(path: string, staleMs: number): boolean {
  try {
    const owner = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid) {
      try {
        process.kill(owner, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      }
    }
    return Date.now() - statSync(path).mtimeMs > staleMs;
  } catch {
    return false; // removed meanwhile: the next attempt takes it
  }
}

const runCommand: CommandRunner = (command, args, log) =>
  new Promise((resolve, reject) => {
    log(`$ ${command} ${args.join(' ')}`);
    const child = spawn(command, args, { stdio: ['ignore', 2, 2] });
    child.once('error', (error) => reject(new WorkerEnvironmentError(`cannot run ${command}: ${error.message}`, { cause: error })));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new WorkerEnvironmentError(`${command} ${args.join(' ')} exited with status ${code}`))));
  });
