import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePath, type LoadedTask } from '../config/load.js';
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
  const models = new LocalModels({ python: pythonOnce, workerDir: workerDirectory(), logFile: join(runDir, 'local-models.log') });
  return {
    python: pythonOnce,
    models,
    async endpoint(model: string | undefined, adapter?: { name: string; dir: string }): Promise<EndpointHandle> {
      if (model === undefined) throw new Error('the local endpoint needs a model');
      const local = resolvePath(task, model);
      const server = await models.serve(existsSync(local) ? local : model, model, adapter);
      return { http: server.http, maxAttempts: 3, flavor: 'local' };
    },
  };
}
