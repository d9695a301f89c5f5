import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { runPaths } from '../stages/run-paths.js';
import { RunFiles } from './run-files.js';

export interface RunEntry {
  /** The name in URLs: the folder name under the runs folder. */
  name: string;
  dir: string;
}

/**
 * The runs the dashboard shows: every folder with a `state.sqlite` under `--runs`, or the one `--run-dir`.
 * URLs name a run by folder name and are looked up in this list, so no URL reaches outside it.
 */
export class RunCatalog {
  private readonly files = new Map<string, RunFiles>();

  constructor(private readonly source: { runsDir: string } | { runDir: string }) {}

  get single(): RunEntry | undefined {
    return 'runDir' in this.source ? { name: basename(resolve(this.source.runDir)), dir: resolve(this.source.runDir) } : undefined;
  }

  list(): RunEntry[] {
    if (this.single) return [this.single];
    const root = resolve((this.source as { runsDir: string }).runsDir);
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .filter((name) => existsSync(runPaths(join(root, name)).database) && statSync(join(root, name)).isDirectory())
      .sort()
      .map((name) => ({ name, dir: join(root, name) }));
  }

  find(name: string): RunEntry | undefined {
    return this.list().find((entry) => entry.name === name);
  }

  /** The run's file indexes, kept between requests (that is what makes the second page fast). */
  filesOf(entry: RunEntry): RunFiles {
    let files = this.files.get(entry.dir);
    if (files === undefined) this.files.set(entry.dir, (files = new RunFiles(entry.dir)));
    return files;
  }
}
