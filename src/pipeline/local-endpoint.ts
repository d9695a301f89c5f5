import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath, type LoadedTask } from '../config/load.js';
import { chooseEngineHere } from '../engines/engine-choice.js';
import { ensureVllmPython } from '../engines/vllm-environment.js';
import { LocalModels } from '../local-worker/local-models.js';
import { ensureWorkerPython } from '../local-worker/worker-environment.js';
import { workerDirectory } from '../local-worker/worker-location.js';
import type { EndpointHandle } from '../stages/context.js';

/**
 * The built-in `local` endpoint: each model named with it is served by its own worker process on
 * 127.0.0.1, started on first use. A model that is a path relative to the config is resolved against it;
 * anything else is passed on as a Hugging Face id. The served name stays the string the config wrote, so
 * requests carry the same `model` whether the endpoint is local or hosted.
 */
export function localEndpoints(task: LoadedTask, runDir: string, environment: NodeJS.ProcessEnv = process.env) {
  let python: Promise<string> | undefined;
  const pythonOnce = (): Promise<string> => (python ??= ensureWorkerPython({ environment, configuredPython: task.config.student?.python }));
  const choice = chooseEngineHere(task.config.engine, { environment });
  let said = false;
  let vllm: Promise<string> | undefined;
  const vllmPython = (): Promise<string> => (vllm ??= ensureVllmPython({ environment }));
  const models = new LocalModels({ python: pythonOnce, vllmPython, engine: choice.engine, workerDir: workerDirectory(), logFile: join(runDir, 'local-models.log') });
  // A path relative to the config, else a Hugging Face id: the key of the model's server.
  const weightsOf = (model: string): string => {
    const path = resolvePath(task, model);
    return existsSync(path) ? path : model;
  };
  // Names that stand for a model the run made (the trained student), registered once training is done.
  const aliases = new Map<string, { model: string; adapter?: { name: string; dir: string } }>();
  return {
    python: pythonOnce,
    models,
    /** Serves `name` as `model` (a full model folder), or as `model` with a LoRA adapter selected by `name`. */
    alias(name: string, model: string, adapterDir?: string): void {
      aliases.set(name, { model, adapter: adapterDir === undefined ? undefined : { name, dir: adapterDir } });
      if (adapterDir !== undefined) models.expectAdapters(weightsOf(model));
    },
    async endpoint(model: string | undefined): Promise<EndpointHandle> {
      if (model === undefined) throw new Error('the local endpoint needs a model');
      if (!said) process.stderr.write(`${choice.reason}\n`);
      said = true;
      const alias = aliases.get(model);
      const weights = weightsOf(alias?.model ?? model);
      // An adapter is selected by its name; a full model answers to the name it is served under.
      const server = await models.serve(weights, alias?.adapter ? weights : model, alias?.adapter);
      return { http: server.http, maxAttempts: 3, flavor: 'local' };
    },
  };
}
