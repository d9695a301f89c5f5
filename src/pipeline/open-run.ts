import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadTask, type LoadedTask } from '../config/load.js';
import { writeFileAtomic } from '../data/jsonl.js';
import { ConfigError, errorMessage } from '../errors.js';
import { httpClientFor } from '../llm/endpoint.js';
import { openDatabase, type SqliteDatabase } from '../store/database.js';
import { SqliteResponseCache } from '../store/response-cache.js';
import { RunState } from '../store/run-state.js';
import type { EndpointHandle, StageContext } from '../stages/context.js';
import type { EventSink } from '../stages/events.js';
import { runPaths } from '../stages/run-paths.js';

export interface OpenRunOptions {
  configPath: string;
  runDir: string;
  emit?: EventSink;
  signal?: AbortSignal;
  environment?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** Supplies built-in endpoints (`local`: the Python worker) that are started on demand. */
  localEndpoint?: (model: string | undefined) => Promise<EndpointHandle>;
}

export interface OpenRun {
  context: StageContext;
  database: SqliteDatabase;
  close(): Promise<void>;
}

/** Opens (or creates) a run directory for a task: its SQLite state, its cache, and the stage context. */
export function openRun(options: OpenRunOptions): OpenRun {
  const task = loadTask(options.configPath);
  return openRunFor(task, options);
}

export function openRunFor(task: LoadedTask, options: Omit<OpenRunOptions, 'configPath'>): OpenRun {
  mkdirSync(options.runDir, { recursive: true });
  const paths = runPaths(options.runDir);
  const database = openDatabase(paths.database);
  const environment = options.environment ?? process.env;
  // The resolved config, for the record: endpoints hold only the *names* of key variables, never keys.
  writeFileAtomic(paths.config, `# resolved from ${task.file}\n${stringify(task.config)}`);
  const closers: (() => Promise<void>)[] = [];
  const signal = options.signal ?? new AbortController().signal;
  // Every request in flight listens to the run's signal (256 at once is normal), so lift Node's warning.
  setMaxListeners(0, signal);
  const context: StageContext = {
    task,
    paths,
    state: new RunState(database),
    cache: new SqliteResponseCache(database),
    emit: options.emit ?? (() => undefined),
    signal,
    environment,
    async endpoint(name, model) {
      const settings = task.config.endpoints[name];
      if (settings) {
        return {
          // Calls other than chat (files, batches, fine-tuning) retry inside the client: say so, or a slow poll looks stuck.
          // The run's signal ends their retries too (they pass none of their own).
          http: httpClientFor(name, settings, environment, options.fetch, {
            signal,
            onRetry: (notice) =>
              context.emit({ type: 'log', stage: `endpoint ${name}`, level: 'warn', message: `retrying ${notice.url.split('?')[0]} in ${Math.round(notice.delayMs)} ms (attempt ${notice.attempt}): ${errorMessage(notice.error)}` }),
          }),
          rpm: settings.rpm,
          tpm: settings.tpm,
          maxAttempts: settings.max_attempts,
          flavor: settings.flavor,
        };
      }
      if (name === 'local' && options.localEndpoint) return options.localEndpoint(model);
      throw new ConfigError(`${task.file}: unknown endpoint '${name}'`, task.file, 'endpoints');
    },
  };
  return {
    context,
    database,
    async close() {
      for (const close of closers.reverse()) await close();
      context.state.flush();
      database.close();
    },
  };
}

export function runExists(runDir: string): boolean {
  return existsSync(runPaths(runDir).database);
}
