import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../data/jsonl.js';
import { openDatabase } from '../store/database.js';
import { RunState } from '../store/run-state.js';
import type { StageContext } from '../stages/context.js';
import { ensureDir, runPaths, type RunPaths } from '../stages/run-paths.js';
import type { Variant } from './variant-task.js';

/** `variants/<name>/` of the run directory: where one variant's split, train and evaluate stages write. */
export function variantDirectory(runDir: string, name: string): string {
  return join(runDir, 'variants', name);
}

/**
 * The variant's own layout: split, train, evaluate and its reports under `variants/<name>/`, its stage records in
 * its own `state.sqlite`; inputs, generation and curation are the run's (read, never written).
 */
export function variantPaths(run: RunPaths, name: string): RunPaths {
  const own = runPaths(variantDirectory(run.root, name));
  return { ...own, inputs: run.inputs, generate: run.generate, curate: run.curate };
}

export interface VariantRun {
  context: StageContext;
  close(): void;
}

/**
 * A stage context for one variant: its task, its paths and stage records, and the run's response cache, endpoints,
 * signal and events (so a variant's stages are resumable like the run's, and each variant's evaluation is cached).
 */
export function openVariant(run: StageContext, variant: Variant): VariantRun {
  const paths = variantPaths(run.paths, variant.name);
  ensureDir(paths.root);
  const database = openDatabase(paths.database);
  writeFileAtomic(paths.config, `# variant ${variant.name} of ${variant.task.file}\n${stringify(variant.task.config)}`);
  const context: StageContext = { ...run, task: variant.task, paths, state: new RunState(database) };
  return {
    context,
    close() {
      context.state.flush();
      database.close();
    },
  };
}
