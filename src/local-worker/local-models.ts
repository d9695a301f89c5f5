import { resolve } from 'node:path';
import { startLocalServer, type LocalServer } from './local-server.js';

export interface LocalModelsOptions {
  python: () => Promise<string>;
  workerDir: string;
  logFile?: string;
  device?: 'auto' | 'cpu' | 'cuda';
}

/**
 * The local models a run serves through the worker, one process per (model, adapter) so that every model
 * is served the same way and latency comparisons are fair. Started on first use, stopped with the run.
 */
export class LocalModels {
  private readonly servers = new Map<string, Promise<LocalServer>>();

  constructor(private readonly options: LocalModelsOptions) {}

  /** A server for `model` (a path or HF id) answering as `servedName`, optionally with a LoRA adapter. */
  serve(model: string, servedName: string, adapter?: { name: string; dir: string }): Promise<LocalServer> {
    const key = JSON.stringify([model, servedName, adapter?.dir ?? null]);
    let server = this.servers.get(key);
    if (!server) {
      server = (async () =>
        startLocalServer({
          python: await this.options.python(),
          workerDir: this.options.workerDir,
          model,
          servedName,
          adapters: adapter ? { [adapter.name]: resolve(adapter.dir) } : undefined,
          device: this.options.device,
          logFile: this.options.logFile,
        }))();
      this.servers.set(key, server);
      // A failed start is not cached: the next call tries again.
      server.catch(() => this.servers.delete(key));
    }
    return server;
  }

  async stopAll(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map(async (server) => (await server.catch(() => undefined))?.stop()));
  }
}
