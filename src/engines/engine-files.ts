import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DistilleryError } from '../errors.js';

/**
 * The repository's `engines/<name>/` folder (an engine's pinned requirements and install helpers), found by
 * walking up from this module so it works from `src/` and from a built `dist/` alike.
 */
export function engineFiles(name: string, start: string = dirname(fileURLToPath(import.meta.url))): string {
  let current = start;
  for (;;) {
    const candidate = join(current, 'engines', name);
    if (existsSync(join(candidate, 'requirements.txt'))) return candidate;
    const parent = dirname(current);
    if (parent === current) throw new DistilleryError(`cannot find engines/${name}/requirements.txt above ${start}`);
    current = parent;
  }
}

/** The `name==version` pin of `distribution` in an engine's requirements file. */
export function pinnedRequirement(lines: string, distribution: string): string {
  const pin = lines.split('\n').map((line) => line.trim()).find((line) => line.startsWith(`${distribution}==`));
  if (pin === undefined) throw new DistilleryError(`engines requirements: no ${distribution}==VERSION pin`);
  return pin;
}

/** An engine's managed-environment identity: its folder, and the files whose content keys the cached env. */
export function engineEnvironmentSpec(name: string, cacheRoot: string | undefined, extraKeyFiles: string[] = []) {
  const folder = engineFiles(name);
  return { name, keyFiles: [join(folder, 'requirements.txt'), ...extraKeyFiles.map((file) => join(folder, file))], cacheRoot, folder };
}
