import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';

/** Reads a file named in the config, relative to the config's directory; a missing file is a config error. */
export async function readConfigFile(configDirectory: string, path: string, key: string): Promise<string> {
  const absolute = resolve(configDirectory, path);
  try {
    return await readFile(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${absolute}: ${error instanceof Error ? error.message : String(error)}`, configDirectory, key);
  }
}
