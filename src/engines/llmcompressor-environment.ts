import { ensureManagedEnvironment, installedManagedPython } from '../local-worker/managed-environment.js';
import { engineEnvironmentSpec } from './engine-files.js';
import type { EngineEnvironmentOptions } from './vllm-environment.js';

function llmcompressorSpec(options: EngineEnvironmentOptions) {
  return engineEnvironmentSpec('llmcompressor', options.cacheRoot);
}

/** llmcompressor's interpreter when its managed environment exists; never installs. */
export function installedLlmcompressorPython(options: EngineEnvironmentOptions = {}): string | undefined {
  return installedManagedPython(llmcompressorSpec(options));
}

/**
 * llmcompressor's own environment: it pins torch <= 2.14 and transformers <= 5.17, which the worker and the
 * engines do not share. Also holds `compressed-tensors`, which lets transformers load the 4-bit export on CPU.
 */
export async function ensureLlmcompressorPython(options: EngineEnvironmentOptions = {}): Promise<string> {
  const spec = llmcompressorSpec(options);
  return ensureManagedEnvironment({
    ...options,
    ...spec,
    announce: ['Installing llmcompressor (4-bit GPTQ/AWQ export) in its own environment; once per engines/llmcompressor/requirements.txt'],
    install: (python, _directory, run, log) => run(python, ['-m', 'pip', 'install', '-r', spec.keyFiles[0]!], log),
  });
}
