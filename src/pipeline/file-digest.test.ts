import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useTempDir } from '../../test/helpers/temp-dir.js';

const temp = useTempDir();
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A fresh copy of the module: what a new process sees. */
async function freshProcess(): Promise<typeof import('./file-digest.js')> {
  vi.resetModules();
  return import('./file-digest.js');
}

describe('fileDigest', () => {
  it('hashes a file larger than its read chunk exactly', async () => {
    const bytes = Buffer.alloc(3 * (1 << 20) + 17, 7);
    bytes.write('different head');
    const path = join(temp.path(), 'big.bin');
    writeFileSync(path, bytes);
    expect((await freshProcess()).fileDigest(path)).toBe(sha256(bytes));
  });

  it('a later process reuses the digest kept in the run directory while the file is unchanged, and reads it again once written', async () => {
    const path = temp.write('inputs.jsonl', '{"input": "a"}\n');
    const persisted = join(temp.path(), 'run', 'file-digests.json');
    expect((await freshProcess()).fileDigest(path, persisted)).toBe(sha256('{"input": "a"}\n'));
    // Plant a digest that only the kept record can supply: the next process must take it without reading the file.
    const kept = JSON.parse(readFileSync(persisted, 'utf8')) as Record<string, { signature: string; digest: string }>;
    kept[path]!.digest = 'planted';
    writeFileSync(persisted, JSON.stringify(kept));
    expect((await freshProcess()).fileDigest(path, persisted)).toBe('planted');
    writeFileSync(path, '{"input": "b"}\n'); // same size: the stat signature still tells
    const next = await freshProcess();
    expect(next.fileDigest(path, persisted)).toBe(sha256('{"input": "b"}\n'));
    expect((JSON.parse(readFileSync(persisted, 'utf8')) as Record<string, { digest: string }>)[path]!.digest).toBe(sha256('{"input": "b"}\n'));
  });

  it('a damaged digest file is ignored, not trusted', async () => {
    const path = temp.write('prompt.txt', 'Be brief.');
    const persisted = temp.write('run/file-digests.json', '{"not json');
    expect((await freshProcess()).fileDigest(path, persisted)).toBe(sha256('Be brief.'));
  });
});
