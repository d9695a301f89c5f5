import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileBytes, fileInfo } from '../../../llm/files.js';
import type { HttpClient } from '../../../llm/http-client.js';
import { ensureDir } from '../../run-paths.js';

/** Downloads a checkpoint's result files (Nebius: adapter_config.json, adapter_model.safetensors) into `directory`. */
export async function downloadResultFiles(http: HttpClient, fileIds: readonly string[], directory: string): Promise<string[]> {
  rmSync(directory, { recursive: true, force: true });
  ensureDir(directory);
  const written: string[] = [];
  for (const fileId of fileIds) {
    const info = await fileInfo(http, fileId);
    // The provider's file name, never a path: a hostile name must not write outside the adapter folder.
    const name = basename(info.filename ?? fileId) || fileId;
    writeFileSync(join(directory, name), await fileBytes(http, fileId));
    written.push(name);
  }
  return written;
}
