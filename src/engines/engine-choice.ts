import { hasCudaGpu, installedVllmPython, type EngineEnvironmentOptions } from './vllm-environment.js';

/** `engine:` in the task: which program serves local models. */
export type EngineSetting = 'auto' | 'vllm' | 'transformers';
export type Engine = 'vllm' | 'transformers';

export interface EngineChoice {
  engine: Engine;
  /** One line for the log: which engine, why, and how to switch. */
  reason: string;
}

/**
 * `auto` picks vLLM where its environment exists or a GPU is present (it is installed then), and the
 * worker's transformers server otherwise, so the first command on a fresh CPU machine needs no 6 GB install.
 */
export function chooseEngine(setting: EngineSetting, facts: { vllmInstalled: boolean; gpu: boolean }): EngineChoice {
  if (setting === 'vllm') return { engine: 'vllm', reason: 'local models are served by vLLM (engine: vllm)' };
  if (setting === 'transformers') return { engine: 'transformers', reason: 'local models are served by the worker\'s transformers server (engine: transformers); set engine: vllm for batched serving' };
  if (facts.vllmInstalled) return { engine: 'vllm', reason: 'local models are served by vLLM (engine: auto, its environment is installed); set engine: transformers to use the worker\'s server' };
  if (facts.gpu) return { engine: 'vllm', reason: 'local models are served by vLLM (engine: auto, a GPU is present); set engine: transformers to use the worker\'s server' };
  return {
    engine: 'transformers',
    reason: 'local models are served by the worker\'s transformers server, one request at a time (engine: auto, no GPU and no vLLM environment); set engine: vllm to install vLLM (CPU build, ~6.3 GB, 6+ minutes once) and batch requests',
  };
}

/** `chooseEngine` with this machine's facts. */
export function chooseEngineHere(setting: EngineSetting, options: EngineEnvironmentOptions = {}): EngineChoice {
  if (setting !== 'auto') return chooseEngine(setting, { vllmInstalled: false, gpu: false });
  return chooseEngine(setting, { vllmInstalled: installedVllmPython(options) !== undefined, gpu: hasCudaGpu(options.environment) });
}
