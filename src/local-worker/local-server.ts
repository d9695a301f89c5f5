import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { DistilleryError } from '../errors.js';
import { HttpClient } from '../llm/http-client.js';

const readySchema = z.object({ event: z.literal('ready'), host: z.string(), port: z.number().int(), models: z.array(z.string()) });

export interface LocalServerOptions {
  python: string;
  /** The repository's `worker/` folder, put on PYTHONPATH. */
  workerDir: string;
  model: string;
  /** Name under which the base model is served (defaults to the model path). */
  servedName?: string;
  adapters?: Record<string, string>;
  device?: 'auto' | 'cpu' | 'cuda';
  logFile?: string;
  startTimeoutMs?: number;
  environment?: NodeJS.ProcessEnv;
}

export class LocalServerError extends DistilleryError {}

/** A running `python -m distillery_worker serve` process and the OpenAI-compatible client to it. */
export interface LocalServer {
  http: HttpClient;
  url: string;
  models: string[];
  stop(): Promise<void>;
}

/** Starts the worker's OpenAI-compatible server on a free port and waits for its ready line. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const args = ['-m', 'distillery_worker', 'serve', '--model', options.model, '--host', '127.0.0.1', '--port', '0'];
  if (options.servedName) args.push('--served-name', options.servedName);
  for (const [name, dir] of Object.entries(options.adapters ?? {})) args.push('--adapter', `${name}=${dir}`);
  if (options.device) args.push('--device', options.device);
  const child = spawn(options.python, args, {
    // One thread per server unless the user says otherwise: a run serves several models side by side, and
    // torch's default of one thread per core made each step ~50× slower on a busy 2-core host (worker bench).
    env: { OMP_NUM_THREADS: '1', ...(options.environment ?? process.env), PYTHONPATH: options.workerDir, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const recent: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log?.write(`${line}\n`);
    recent.push(line);
    if (recent.length > 20) recent.shift();
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<z.infer<typeof readySchema>>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not report ready within ${(options.startTimeoutMs ?? 300_000) / 1000} s`), options.startTimeoutMs ?? 300_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new LocalServerError(`local model server for ${options.model} ${why}\n${recent.join('\n')}`));
    };
    lines.on('line', (line) => {
      log?.write(`${line}\n`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return;
      }
      const parsed = readySchema.safeParse(value);
      if (parsed.success) {
        clearTimeout(timer);
        resolve(parsed.data);
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
    child.once('error', (error) => fail(`could not start ${options.python}: ${error.message}`));
  });
  child.removeAllListeners('exit');
  const url = `http://127.0.0.1:${ready.port}/v1`;
  return {
    http: new HttpClient({ baseURL: url, timeoutMs: 600_000 }),
    url,
    models: ready.models,
    stop: () => stopProcess(child, log),
  };
}

async function stopProcess(child: ChildProcess, log: NodeJS.WritableStream | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const grace = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(grace);
  }
  log?.end();
}
