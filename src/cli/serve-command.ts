import type { Command } from 'commander';
import { z } from 'zod';
import { loadTask } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { runExists } from '../pipeline/open-run.js';
import { runPaths } from '../stages/run-paths.js';
import { openDatabase } from '../store/database.js';
import { generateToken } from '../serve/bearer-auth.js';
import { startGateway, type Gateway } from '../serve/gateway.js';
import { RequestLog } from '../serve/request-log.js';
import { resolveServeTargets, type StartLocalStudent } from '../serve/resolve-targets.js';
import { serveSchema } from '../config/serve-config.js';
import { localEndpoints } from '../pipeline/local-endpoint.js';
import { trainedStudent } from '../pipeline/student-target.js';

const flagsSchema = z.object({
  runDir: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
});

export interface ServeCommandHooks {
  /** Starts the Python worker for a run whose student is a local adapter (supplied by the pipeline). */
  startLocalStudent?: StartLocalStudent;
}

export function registerServe(program: Command, hooks: ServeCommandHooks = {}): void {
  program
    .command('serve')
    .description('serve the trained student behind an OpenAI-compatible endpoint, falling back to the teacher (no pipeline run needed when serve.student and serve.fallback are named)')
    .argument('<config>', 'task config (YAML or JSON)')
    .requiredOption('--run-dir <dir>', 'run directory')
    .option('--port <port>', 'listening port (default: serve.port, 8808)')
    .option('--host <host>', 'listening address (default: serve.host, 127.0.0.1)')
    .action(async (configPath: string, rawFlags: unknown) => {
      const flags = flagsSchema.parse(rawFlags);
      const task = loadTask(configPath);
      const parsed = serveSchema.safeParse(task.config.serve ?? {});
      if (!parsed.success) throw new ConfigError(`${task.file}: serve: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`, task.file, 'serve');
      const serve = parsed.data;
      // With both models named, the gateway needs nothing the pipeline makes: the run directory only keeps its request log.
      if (!runExists(flags.runDir) && (serve.student === undefined || serve.fallback === undefined)) {
        throw new ConfigError(`no run in ${flags.runDir}: run the pipeline first, or name serve.student and serve.fallback to serve without one`, task.file, 'serve');
      }
      const database = openDatabase(runPaths(flags.runDir).database);
      try {
        const startLocalStudent: StartLocalStudent = hooks.startLocalStudent ?? (async () => {
          // The same resolution as evaluation: base + adapter, or the full fine-tuned model, in the worker.
          const local = localEndpoints(task, flags.runDir);
          const student = trainedStudent({ task, paths: runPaths(flags.runDir) }, local);
          const handle = await local.endpoint(student.model);
          return { http: handle.http, model: student.model, close: () => local.models.stopAll() };
        });
        const targets = await resolveServeTargets({ task, runDir: flags.runDir, serve, startLocalStudent });
        // DISTILLERY_SERVE_TOKEN may hold several tokens, comma-separated: one per client, each with its own limits.
        const chosen = (process.env.DISTILLERY_SERVE_TOKEN ?? '').split(',').map((token) => token.trim()).filter((token) => token !== '');
        const tokens = chosen.length > 0 ? chosen : [generateToken()];
        let gateway: Gateway;
        try {
          gateway = await startGateway({ targets, config: serve, modelName: serve.model_name ?? task.config.name, token: tokens, requestLog: new RequestLog(database), port: flags.port, host: flags.host });
        } catch (error) {
          await targets.close?.(); // a local worker started for nothing must not outlive the command
          throw error;
        }
        if (chosen.length === 0) process.stderr.write(`bearer token (shown once; set DISTILLERY_SERVE_TOKEN to choose one or several): ${tokens[0]}\n`);
        process.stderr.write(`serving ${serve.model_name ?? task.config.name} at ${gateway.url} (student ${targets.student.model}, fallback ${targets.fallback.model})\n`);
        await untilSignal();
        process.stderr.write('stopping: finishing requests in flight…\n');
        await gateway.close();
      } finally {
        database.close();
      }
    });
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
