import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DistilleryError } from '../errors.js';

/**
 * The repository's `worker/` folder (the Python package's parent), found by walking up from this module so
 * it works from `src/` (tsx, tests) and from a built `dist/` alike.
 */
export function workerDirectory(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let current = start;
  for (;;) {
    const candidate = join(current, 'worker');
    if (existsSync(join(candidate, 'distillery_worker', '__main__.py'))) return candidate;
    const parent = dirname(current);
    if (parent === current) throw new DistilleryError(`cannot find the Python worker (worker/distillery_worker) above ${start}`);
    current = parent;
  }
}
