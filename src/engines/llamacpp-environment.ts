import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureManagedEnvironment, installedManagedPython } from '../local-worker/managed-environment.js';
import { DistilleryError } from '../errors.js';
import { engineEnvironmentSpec, pinnedRequirement } from './engine-files.js';
import type { EngineEnvironmentOptions } from './vllm-environment.js';

function llamacppSpec(options: EngineEnvironmentOptions) {
  return engineEnvironmentSpec('llamacpp', options.cacheRoot);
}

export function installedLlamacppPython(options: EngineEnvironmentOptions = {}): string | undefined {
  return installedManagedPython(llamacppSpec(options));
}

/**
 * llama.cpp's environment: the `llama_cpp` bindings built from the `llama-cpp-python` source distribution
 * (Debian packages neither llama.cpp nor Ollama; the build takes ~11 minutes on 2 cores), and the same sdist
 * unpacked beside it for llama.cpp's own `convert_hf_to_gguf.py` and `gguf-py`.
 */
export async function ensureLlamacppPython(options: EngineEnvironmentOptions = {}): Promise<string> {
  const spec = llamacppSpec(options);
  const requirements = spec.keyFiles[0]!;
  return ensureManagedEnvironment({
    ...options,
    ...spec,
    announce: ['Installing llama.cpp (llama-cpp-python built from source, torch and transformers for its converter) in its own environment', '  (about 11 minutes of compiling on 2 cores and ~3 GB; once per engines/llamacpp/requirements.txt)'],
    async install(python, directory, run, log) {
      const pin = pinnedRequirement(readFileSync(requirements, 'utf8'), 'llama-cpp-python');
      const sdist = join(directory, 'sdist');
      await run(python, ['-m', 'pip', 'download', '--no-deps', '--no-binary', ':all:', pin, '-d', sdist], log);
      const archive = readdirSync(sdist).find((name) => name.endsWith('.tar.gz'));
      if (archive === undefined) throw new DistilleryError(`pip download ${pin} left no source archive in ${sdist}`);
      await run('tar', ['-xzf', join(sdist, archive), '-C', sdist], log);
      await run(python, ['-m', 'pip', 'install', '-r', requirements], log);
    },
  });
}

/** The vendored llama.cpp folder (convert_hf_to_gguf.py, gguf-py) of an installed environment. */
export function llamaCppSources(python: string): string {
  const sdist = join(dirname(dirname(python)), 'sdist');
  const unpacked = existsSync(sdist) ? readdirSync(sdist).find((name) => !name.endsWith('.tar.gz')) : undefined;
  const folder = unpacked === undefined ? undefined : join(sdist, unpacked, 'vendor', 'llama.cpp');
  if (folder === undefined || !existsSync(join(folder, 'convert_hf_to_gguf.py'))) throw new DistilleryError(`no llama.cpp sources beside ${python} (expected ${sdist}/llama_cpp_python-*/vendor/llama.cpp)`);
  return folder;
}
