import { resolve } from 'node:path';
import type { Engine } from '../engines/engine-choice.js';
import { startVllmServer, type VllmServer, type VllmServerOptions } from '../engines/vllm.js';
import { startLocalServer, type LocalServer } from './local-server.js';

export interface LocalModelsOptions {
  python: () => Promise<string>;
  workerDir: string;
  logFile?: string;
  device?: 'auto' | 'cpu' | 'cuda';
  /** Which program serves the models (default: the worker's transformers server). */
  engine?: Engine;
  /** vLLM's interpreter (installing its environment on first use); needed when `engine` is `vllm`. */
  vllmPython?: () => Promise<string>;
  /** Extra environment for the servers (vLLM's `VLLM_CPU_KVCACHE_SPACE`, tests). */
  environment?: NodeJS.ProcessEnv;
  /** Starts a vLLM server (tests count the starts); default `startVllmServer`. */
  startVllm?: (options: VllmServerOptions) => Promise<VllmServer>;
}

/**
 * The local models a run serves. On the transformers server: one process per (model, adapter), so that every
 * model is served the same way. On vLLM: one server per base model, batching all requests, with LoRA
 * adapters loaded into it as adapters. Started on first use, stopped with the run.
 */
export class LocalModels {
  private readonly servers = new Map<string, Promise<LocalServer>>();
  private readonly loraBases = new Set<string>();

  constructor(private readonly options: LocalModelsOptions) {}

  /** A server for `model` (a path or HF id) answering as `servedName`, optionally with a LoRA adapter. */
  serve(model: string, servedName: string, adapter?: { name: string; dir: string }): Promise<LocalServer> {
    if (this.options.engine === 'vllm') return this.serveOnVllm(model, servedName, adapter);
    const key = JSON.stringify([model, servedName, adapter?.dir ?? null]);
    return this.once(key, async () =>
      startLocalServer({
        python: await this.options.python(),
        workerDir: this.options.workerDir,
        model,
        servedName,
        adapters: adapter ? { [adapter.name]: resolve(adapter.dir) } : undefined,
        device: this.options.device,
        logFile: this.options.logFile,
        environment: this.options.environment,
      }),
    );
  }

  /**
   * Bases whose server must take LoRA adapters (the run's trained adapter): started with `--enable-lora`
   * even when a plain name asks first, so the adapter joins it instead of starting a second server.
   */
  expectAdapters(model: string): void {
    this.loraBases.add(model);
  }

  /**
   * One server per base model: another name for the base is an alias on it, an adapter is loaded into it.
   * Only a base first served without LoRA (not announced by `expectAdapters`) gets a second server, with
   * LoRA, for its adapters.
   */
  private async serveOnVllm(model: string, servedName: string, adapter?: { name: string; dir: string }): Promise<LocalServer> {
    const start = (enableLora: boolean) => async () =>
      (this.options.startVllm ?? startVllmServer)({
        python: await (this.options.vllmPython ?? this.options.python)(),
        model,
        servedName,
        enableLora,
        logFile: this.options.logFile,
        environment: this.options.environment,
      });
    let server = (await this.once(JSON.stringify(['vllm', model]), start(adapter !== undefined || this.loraBases.has(model)))) as VllmServer;
    if (adapter === undefined) {
      server.addName(servedName);
      return server;
    }
    if (!server.lora) server = (await this.once(JSON.stringify(['vllm-lora', model]), start(true))) as VllmServer;
    await server.loadAdapter(adapter.name, resolve(adapter.dir));
    return server;
  }

  private once(key: string, start: () => Promise<LocalServer>): Promise<LocalServer> {
    let server = this.servers.get(key);
    if (!server) {
      server = start();
      this.servers.set(key, server);
      // A failed start is not cached: the next call tries again.
      server.catch(() => this.servers.delete(key));
    }
    return server;
  }

  /**
   * Stops the transformers servers started for `servedName` alone. vLLM servers (keys `['vllm' | 'vllm-lora', model]`)
   * serve a base and every name and adapter on it, so they keep running.
   */
  async stopServedAs(servedName: string): Promise<void> {
    const keys = [...this.servers.keys()].filter((key) => {
      const [kind, name] = JSON.parse(key) as unknown[];
      return kind !== 'vllm' && kind !== 'vllm-lora' && name === servedName;
    });
    const servers = keys.map((key) => this.servers.get(key)!);
    for (const key of keys) this.servers.delete(key);
    await Promise.all(servers.map(async (server) => (await server.catch(() => undefined))?.stop()));
  }

  async stopAll(): Promise<void> {
    const servers = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(servers.map(async (server) => (await server.catch(() => undefined))?.stop()));
  }
}
