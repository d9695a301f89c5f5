import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'vitest';
import { installedWorkerPython } from '../../src/local-worker/worker-environment.js';

/** Something a group of tests needs; `missing` says why it is not here. */
export interface Need<T> {
  value: T | undefined;
  missing: string | undefined;
  /** The project installs it itself (`npm test` does): its absence is a failure in CI, never a skip. */
  installable: boolean;
}

const inCi = (): boolean => !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * A describe block that runs only with what it needs. Without it the block is skipped and the reason printed;
 * in CI (`CI=true`) a missing dependency the project installs itself fails instead of hiding behind a skip.
 */
export function describeNeeding<T>(name: string, need: Need<T>, body: (value: T) => void): void {
  if (need.value !== undefined && need.missing === undefined) {
    const value = need.value;
    describe(name, () => body(value));
    return;
  }
  if (need.installable && inCi()) {
    describe(name, () => it('has what it needs', () => {
      throw new Error(`${need.missing} (CI=true: a missing dependency is a failure, not a skip)`);
    }));
    return;
  }
  console.warn(`skipping "${name}": ${need.missing}`);
  describe.skip(name, () => undefined);
}

/** The worker's Python (DISTILLERY_WORKER_PYTHON, or the managed environment `npm test` creates), able to import its packages. */
export function workerPython(): Need<string> {
  const python = installedWorkerPython();
  if (python === undefined) return { value: undefined, installable: true, missing: 'the worker environment is not installed (npm test creates it first; or run: node bin/distillery.js worker python)' };
  if (!existsSync(python)) return { value: undefined, installable: true, missing: `no worker Python at ${python}` };
  const probe = spawnSync(python, ['-c', 'import torch, transformers, trl, peft'], { timeout: 120_000 });
  if (probe.status !== 0) return { value: undefined, installable: true, missing: `${python} cannot import torch, transformers, trl and peft` };
  return { value: python, installable: true, missing: undefined };
}

/**
 * A data set beside the checkout (`../shared/data/<name>`, or under DISTILLERY_DATA). Its licence keeps it out
 * of the repository, so a bare clone genuinely lacks it: a skip with its reason, not a failure.
 */
export function sharedData(name: string): Need<string> {
  const root = process.env.DISTILLERY_DATA || resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
  const directory = resolve(root, name);
  return existsSync(directory) ? { value: directory, installable: false, missing: undefined } : { value: undefined, installable: false, missing: `${directory} is absent (data kept outside the repository; set DISTILLERY_DATA)` };
}
