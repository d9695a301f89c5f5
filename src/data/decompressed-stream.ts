import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

/** The compression a file name says (`.gz`, `.zst`), and the name without that suffix. */
export function compressionOf(path: string): { compression: Compression; inner: string } {
  const lower = path.toLowerCase();
  if (lower.endsWith('.gz')) return { compression: 'gzip', inner: path.slice(0, -3) };
  if (lower.endsWith('.zst') || lower.endsWith('.zstd')) return { compression: 'zstd', inner: path.slice(0, path.lastIndexOf('.')) };
  return { compression: 'none', inner: path };
}

/**
 * The file's bytes, decompressed as they are read (gzip by Node's zlib; zstd by fzstd, because Node 20's
 * zlib has no zstd), so a compressed corpus is never held in memory or expanded on disk.
 */
export function openDecompressed(path: string): Readable {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const { compression } = compressionOf(path);
  if (compression === 'none') return file;
  const decoder = compression === 'gzip' ? createGunzip() : zstdDecoder();
  file.on('error', (error) => decoder.destroy(error));
  return file.pipe(decoder);
}

function zstdDecoder(): Transform {
  // fzstd may reuse its output window, so each chunk is copied before it leaves.
  const transform: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(feed(chunk, false));
    },
    flush(callback) {
      callback(feed(new Uint8Array(0), true));
    },
  });
  const decoder = new Decompress((data) => transform.push(Buffer.from(data)));
  const feed = (chunk: Uint8Array, final: boolean): Error | null => {
    try {
      decoder.push(chunk, final);
      return null;
    } catch (error) {
      return new Error(`zstd: ${(error as Error).message}`);
    }
  };
  return transform;
}
