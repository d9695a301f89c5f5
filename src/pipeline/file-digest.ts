import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const CHUNK = 1 << 20;

/** Digests already computed, keyed by path and the stat fields a write changes (a 20 GB inputs file is read once per process). */
const known = new Map<string, { signature: string; digest: string }>();

/** SHA-256 of a regular file's bytes, read in 1 MiB chunks so a file of any size hashes in constant memory. */
export function fileDigest(path: string): string {
  const stat = statSync(path, { bigint: true });
  const signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  const cached = known.get(path);
  if (cached?.signature === signature) return cached.digest;
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const descriptor = openSync(path, 'r');
  try {
    for (let read = readSync(descriptor, buffer, 0, CHUNK, null); read > 0; read = readSync(descriptor, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(descriptor);
  }
  const digest = hash.digest('hex');
  known.set(path, { signature, digest });
  return digest;
}
