import { existsSync, readFileSync, statSync } from 'node:fs';
import { runPaths, type RunPaths } from '../stages/run-paths.js';
import { FacetIndex } from './facet-index.js';
import { JsonlIndex } from './jsonl-index.js';

/** One run's files as the dashboard reads them: JSONL indexes and parsed files, each kept until its file changes. */
export class RunFiles {
  readonly paths: RunPaths;
  private readonly indexes = new Map<string, JsonlIndex>();
  private readonly facets = new Map<string, FacetIndex>();
  private readonly parsed = new Map<string, { stamp: string; value: unknown }>();

  constructor(readonly dir: string) {
    this.paths = runPaths(dir);
  }

  rows(path: string): JsonlIndex {
    let index = this.indexes.get(path);
    if (index === undefined) this.indexes.set(path, (index = new JsonlIndex(path)));
    return index;
  }

  facet(path: string, name: string, valueOf: (row: unknown) => string): FacetIndex {
    const key = `${path}\u0000${name}`;
    let facet = this.facets.get(key);
    if (facet === undefined) this.facets.set(key, (facet = new FacetIndex(this.rows(path), valueOf)));
    return facet;
  }

  /**
   * `parse()` of one or more files, recomputed only when one of them changed (inode, size or mtime); undefined
   * while the first file is absent.
   */
  derived<T>(key: string, files: readonly string[], parse: () => T): T | undefined {
    if (!existsSync(files[0]!)) return undefined;
    const stamp = files
      .map((file) => {
        if (!existsSync(file)) return '-';
        const stats = statSync(file);
        return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
      })
      .join('|');
    const cached = this.parsed.get(key);
    if (cached?.stamp === stamp) return cached.value as T;
    const value = parse();
    this.parsed.set(key, { stamp, value });
    return value;
  }

  /** A JSON file parsed (undefined when absent or not JSON: the page says so instead of failing). */
  json(path: string): unknown {
    return this.derived(path, [path], () => {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    });
  }
}
