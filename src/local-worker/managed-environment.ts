import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../llm/retry.js';
import { DistilleryError } from '../errors.js';

/** A managed Python environment could not be found or created. */
export class WorkerEnvironmentError extends DistilleryError {}

export const INSTALLED_MARKER = '.distillery-installed';

/** Runs one install command; resolves on exit status 0. Injectable so tests install nothing. */
export type CommandRunner = (command: string, args: string[], log: (line: string) => void) => Promise<void>;

export interface ManagedEnvironmentSpec {
  /** `worker`, `vllm`, `llamacpp`: the folder is `<cacheRoot>/<name>-<hash>`. */
  name: string;
  /** The files whose bytes key the environment (its pinned requirements and install helpers): a change gets a new one. */
  keyFiles: string[];
  /** What the log says before a long install. */
  announce: string[];
  /** The install commands, run after `python3 -m venv` and a pip upgrade, with the new interpreter. */
  install(python: string, directory: string, run: CommandRunner, log: (line: string) => void): Promise<void>;
  cacheRoot?: string;
  environment?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  runCommand?: CommandRunner;
  /** How long to wait for another process's install before giving up (default 1 hour). */
  lockTimeoutMs?: number;
  /** A lock older than this without a live owner is taken over (default 2 hours). */
  staleLockMs?: number;
}

export function defaultCacheRoot(): string {
  return join(homedir(), '.cache', 'distillery');
}

/** `<cacheRoot>/<name>-<first 12 hex of sha256 over the key files>`. */
export function managedDirectory(spec: Pick<ManagedEnvironmentSpec, 'name' | 'keyFiles' | 'cacheRoot'>): string {
  const hash = createHash('sha256');
  for (const file of spec.keyFiles) hash.update(readFileSync(file));
  return join(spec.cacheRoot ?? defaultCacheRoot(), `${spec.name}-${hash.digest('hex').slice(0, 12)}`);
}

export function pythonIn(directory: string): string {
  return process.platform === 'win32' ? join(directory, 'Scripts', 'python.exe') : join(directory, 'bin', 'python');
}

/** The environment's interpreter when it is installed (its marker exists); never installs. */
export function installedManagedPython(spec: Pick<ManagedEnvironmentSpec, 'name' | 'keyFiles' | 'cacheRoot'>): string | undefined {
  const directory = managedDirectory(spec);
  return existsSync(join(directory, INSTALLED_MARKER)) ? pythonIn(directory) : undefined;
}

/**
 * The environment's interpreter, creating it on first use. A lock file keeps two processes from installing
 * at once; the marker is written only after a successful install, so a failed or interrupted one is redone.
 */
export async function ensureManagedEnvironment(spec: ManagedEnvironmentSpec): Promise<string> {
  const log = spec.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const directory = managedDirectory(spec);
  const marker = join(directory, INSTALLED_MARKER);
  if (existsSync(marker)) return pythonIn(directory);

  const release = await acquireLock(`${directory}.lock`, spec.lockTimeoutMs ?? 3_600_000, spec.staleLockMs ?? 7_200_000, log);
  try {
    if (existsSync(marker)) return pythonIn(directory); // another process installed it while we waited
    const run = spec.runCommand ?? runCommand;
    for (const line of spec.announce) log(line);
    rmSync(directory, { recursive: true, force: true });
    await run((spec.environment ?? process.env).DISTILLERY_BOOTSTRAP_PYTHON ?? 'python3', ['-m', 'venv', directory], log);
    await run(pythonIn(directory), ['-m', 'pip', 'install', '--upgrade', 'pip'], log);
    await spec.install(pythonIn(directory), directory, run, log);
    writeFileSync(marker, `${JSON.stringify({ requirements: spec.keyFiles[0], installed_at: new Date().toISOString() })}\n`);
    log(`${spec.name} environment ready: ${pythonIn(directory)}`);
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
      log(`Another process is installing this environment (lock ${path}); waiting for it…`);
      announced = true;
    }
    if (Date.now() > deadline) throw new WorkerEnvironmentError(`timed out waiting for the environment lock ${path}; remove it if no install is running`);
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
