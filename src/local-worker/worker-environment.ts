import { join } from 'node:path';
import { ensureManagedEnvironment, installedManagedPython, managedDirectory, type CommandRunner } from './managed-environment.js';
import { workerDirectory } from './worker-location.js';

export { INSTALLED_MARKER, WorkerEnvironmentError, type CommandRunner } from './managed-environment.js';

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

function requirementsOf(options: Pick<WorkerEnvironmentOptions, 'requirementsPath'>): string {
  return options.requirementsPath ?? join(workerDirectory(), 'requirements.txt');
}

/** `~/.cache/distillery/worker-<first 12 hex of sha256(requirements.txt)>`: a new pin set gets a new environment. */
export function environmentDirectory(options: Pick<WorkerEnvironmentOptions, 'cacheRoot' | 'requirementsPath'> = {}): string {
  return managedDirectory({ name: 'worker', keyFiles: [requirementsOf(options)], cacheRoot: options.cacheRoot });
}

/** The worker's interpreter if one is given or already installed; never installs (token statistics use this). */
export function installedWorkerPython(options: WorkerEnvironmentOptions = {}): string | undefined {
  return givenPython(options) ?? installedManagedPython({ name: 'worker', keyFiles: [requirementsOf(options)], cacheRoot: options.cacheRoot });
}

/**
 * The worker's interpreter, creating its virtual environment on first use: `python3 -m venv`, then
 * `pip install -r worker/requirements.txt`.
 */
export async function ensureWorkerPython(options: WorkerEnvironmentOptions = {}): Promise<string> {
  const given = givenPython(options);
  if (given !== undefined) return given;
  const requirements = requirementsOf(options);
  return ensureManagedEnvironment({
    ...options,
    name: 'worker',
    keyFiles: [requirements],
    announce: [
      `Installing the training worker's Python environment in ${environmentDirectory({ ...options, requirementsPath: requirements })}`,
      '  (torch, transformers, trl, peft: several GB with the CUDA libraries; this happens once per requirements.txt and can take 10 minutes or more)',
    ],
    install: (python, _directory, run, log) => run(python, ['-m', 'pip', 'install', '-r', requirements], log),
  });
}
