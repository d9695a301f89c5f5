import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { RunFiles } from './run-files.js';

/** The parts of the run's resolved `config.yaml` the pages show; anything else passes. */
const studentSchema = z.object({ assistant_prefix: z.string().optional(), hyperparameters: z.record(z.string(), z.unknown()).optional() }).passthrough();
const configSchema = z.object({ student: studentSchema.optional() }).passthrough();
export type StudentConfig = z.infer<typeof studentSchema>;

/** The student section of the run's config (empty when the file is absent or unreadable: the page shows less). */
export function studentConfigOf(files: RunFiles): StudentConfig {
  return (
    files.derived('student-config', [files.paths.config], () => {
      try {
        return configSchema.parse(parse(readFileSync(files.paths.config, 'utf8'))).student ?? {};
      } catch {
        return {};
      }
    }) ?? {}
  );
}
