import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `directory`, for checks such as "this secret is written nowhere in the run". */
export function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files below `directory` whose bytes contain `text`. */
export function filesContaining(directory: string, text: string): string[] {
  return filesUnder(directory).filter((file) => readFileSync(file).includes(text));
}
