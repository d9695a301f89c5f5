import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../data/jsonl.js';

const CHUNK = 1 << 20;

const entrySchema = z.object({ signature: z.string(), digest: z.string() });
type Entry = z.infer<typeof entrySchema>;
const storedSchema = z.record(z.string(), entrySchema);

/** Digests computed in this process, keyed by path. */
const known = new Map<string, Entry>();
/** Digest files of run directories, as read (then kept in step with what is written). */
const stored = new Map<string, Record<string, Entry>>();

function storedIn(file: string): Record<string, Entry> {
  let entries = stored.get(file);
  if (entries === undefined) {
    let parsed: unknown;
    try {
      parsed = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    } catch {
      parsed = {}; // a damaged digest file costs one re-read of the files, nothing else
    }
    entries = storedSchema.safeParse(parsed).data ?? {};
    stored.set(file, entries);
  }
  return entries;
}

/**
 * SHA-256 of a regular file's bytes, read in 1 MiB chunks so a file of any size hashes in constant memory.
 * A digest is reused while the stat fields any write changes (inode, size, mtime, ctime, in ns) are the same:
 * within the process, and across runs through `persisted` (the run directory's `file-digests.json`), so a
 * 20 GB inputs file is read once, not at every command.
 */
export function fileDigest(path: string, persisted?: string): string {
  const stat = statSync(path, { bigint: true });
  const signature = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  const cached = known.get(path) ?? (persisted === undefined ? undefined : storedIn(persisted)[path]);
  if (cached?.signature === signature) return cached.digest;
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const descriptor = openSync(path, 'r');
  try {
    for (let read = readSync(descriptor, buffer, 0, CHUNK, null); read > 0; read = readSync(descriptor, buffer, 0, CHUNK, null)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(descriptor);
  }
  const entry = { signature, digest: hash.digest('hex') };
  known.set(path, entry);
  if (persisted !== undefined) {
    const entries = storedIn(persisted);
    entries[path] = entry;
    mkdirSync(dirname(persisted), { recursive: true });
    writeJsonAtomic(persisted, entries);
  }
  return entry.digest;
}
