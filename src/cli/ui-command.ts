import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { runPaths } from '../stages/run-paths.js';
import { RunCatalog, shellQuote, startUiServer } from '../ui/index.js';

const flagsSchema = z.object({
  runs: z.string().min(1).default('runs'),
  runDir: z.string().min(1).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8809),
  token: z.string().min(16, 'a token of at least 16 characters').optional(),
});

/** The `distillery ui` line a finished run prints. */
export function uiCommandLine(runDir: string): string {
  return `distillery ui --run-dir ${shellQuote(runDir)}`;
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('a local, read-only web dashboard over runs: stages, data, curation, training, evaluation, serving')
    .option('--runs <dir>', 'folder of run directories', 'runs')
    .option('--run-dir <dir>', 'show this one run (its overview is the first page)')
    .option('--host <address>', 'address to bind (anything but loopback requires a token)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '8809')
    .option('--token <token>', 'access token (default: generated when binding beyond loopback)')
    .action(async (rawFlags: unknown) => {
      const flags = flagsSchema.parse(rawFlags);
      if (flags.runDir !== undefined && !existsSync(runPaths(flags.runDir).database)) throw new ConfigError(`no run in ${flags.runDir} (no state.sqlite)`, flags.runDir);
      if (flags.runDir === undefined && !existsSync(flags.runs)) throw new ConfigError(`no runs folder ${flags.runs}`, flags.runs);
      const catalog = new RunCatalog(flags.runDir === undefined ? { runsDir: flags.runs } : { runDir: flags.runDir });
      const server = await startUiServer({ catalog, host: flags.host, port: flags.port, token: flags.token });
      process.stdout.write(`distillery ui: ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
