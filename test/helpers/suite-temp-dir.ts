import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** One temporary directory for a whole test file (models built once in beforeAll), removed after its last test. */
export function useSuiteTempDir(): () => string {
  let current: string | undefined;
  afterAll(() => {
    if (current) rmSync(current, { recursive: true, force: true });
  });
  return () => (current ??= mkdtempSync(join(tmpdir(), 'distillery-suite-')));
}
