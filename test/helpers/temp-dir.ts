import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary directory per test, removed afterwards, with a helper that writes files into it. */
export function useTempDir(): { path: () => string; write: (relative: string, content: string) => string } {
  let current: string | undefined;
  afterEach(() => {
    if (current) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  const path = (): string => (current ??= mkdtempSync(join(tmpdir(), 'distillery-test-')));
  return {
    path,
    write(relative, content) {
      const file = join(path(), relative);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
  };
}
