import type { Command } from 'commander';
import { z } from 'zod';
import { writeJsonlAtomic } from '../data/jsonl.js';
import { ConfigError } from '../errors.js';
import { runExists } from '../pipeline/open-run.js';
import { captureInputs } from '../serve/capture.js';
import { RequestLog } from '../serve/request-log.js';
import { runPaths } from '../stages/run-paths.js';
import { openDatabase } from '../store/database.js';

const flagsSchema = z.object({
  runDir: z.string().min(1),
  out: z.string().min(1),
  only: z.enum(['failed', 'fallback', 'all']).default('fallback'),
  since: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), 'not an ISO date or time')
    .optional(),
});

export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('export inputs the gateway served (by default those the fallback answered) as JSONL for the next round')
    .requiredOption('--run-dir <dir>', 'run directory')
    .requiredOption('--out <file>', 'JSONL file to write ({id, input, …} per line)')
    .option('--only <which>', 'failed (the student failed on it) | fallback (answered by the fallback) | all', 'fallback')
    .option('--since <iso>', 'only requests at or after this ISO time')
    .action((rawFlags: unknown) => {
      const flags = flagsSchema.parse(rawFlags);
      if (!runExists(flags.runDir)) throw new ConfigError(`no run in ${flags.runDir}`, flags.runDir);
      const database = openDatabase(runPaths(flags.runDir).database);
      try {
        const rows = captureInputs(new RequestLog(database), flags.only, flags.since);
        writeJsonlAtomic(flags.out, rows);
        const failed = rows.filter((row) => row.student_failed).length;
        process.stderr.write(`wrote ${rows.length} inputs (${failed} the student failed on) to ${flags.out}\n`);
      } finally {
        database.close();
      }
    });
}
