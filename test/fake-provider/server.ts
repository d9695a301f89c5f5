import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { batchRoutes, defaultBatchOptions } from './batches.js';
import { chatRoutes, echoUppercase } from './chat.js';
import { embeddingRoutes } from './embeddings.js';
import { applyEarlyFault, FaultInjector, faultError } from './faults.js';
import { FileStore, fileRoutes } from './files.js';
import { defaultFineTuningOptions, fineTuningRoutes } from './fine-tuning.js';
import { HttpError, readBody, sendError, type RequestContext } from './http.js';
import { makeId } from './ids.js';
import { parseMultipart } from './multipart.js';
import { nebiusModelRoutes } from './nebius-models.js';
import { togetherFineTuneRoutes } from './together-fine-tunes.js';
import type { FakeProviderBehaviour, FakeProviderBehaviourPatch, FakeProviderState, ProviderRuntime, RecordedRequest, Route } from './types.js';

export interface FakeProviderOptions extends FakeProviderBehaviourPatch {
  /** When set, every request needs `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Default true. Benchmarks turn it off: 100,000 recorded bodies cost the fake memory and CPU. */
  recordRequests?: boolean;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface FakeProvider {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  state: FakeProviderState;
  /** Change behaviour from now on; `faults` replaces the rules and restarts their counters. */
  setBehaviour(patch: FakeProviderBehaviourPatch): void;
  /** Stop listening, drop open connections, cut pending delays short. */
  close(): Promise<void>;
}

function behaviourFrom(options: FakeProviderOptions): FakeProviderBehaviour {
  return {
    latencyMs: options.latencyMs ?? 0,
    answer: options.answer ?? echoUppercase,
    faults: options.faults ?? [],
    rateLimit: options.rateLimit,
    maxInFlight: options.maxInFlight,
    models: options.models,
    batchShape: options.batchShape ?? 'openai',
    batchStatusFlow: options.batchStatusFlow ?? 'openai',
    batch: { ...defaultBatchOptions, ...options.batch },
    fineTuningFlavor: options.fineTuningFlavor ?? 'openai',
    fineTuning: { ...defaultFineTuningOptions, ...options.fineTuning },
  };
}

/** What the request log keeps of a body: JSON parsed, multipart summarised, anything else undefined. */
function recordedBody(req: IncomingMessage, rawBody: Buffer): unknown {
  if (rawBody.length === 0) return undefined;
  const contentType = req.headers['content-type'] ?? '';
  try {
    if (contentType.startsWith('multipart/form-data')) {
      const form = parseMultipart(rawBody, contentType);
      const file = form.files.file;
      return { ...form.fields, filename: file?.filename, bytes: file?.data.length };
    }
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  let behaviour = behaviourFrom(options);
  let faults = new FaultInjector(behaviour.faults);
  const pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const state: FakeProviderState = {
    requests: [],
    files: new FileStore(),
    batches: new Map(),
    fineTuningJobs: new Map(),
    togetherJobs: new Map(),
    customModels: new Map(),
    servedModels: new Set(),
  };
  const runtime: ProviderRuntime = {
    state,
    behaviour: () => behaviour,
    delay: (ms) =>
      new Promise<void>((resolve) => {
        const entry = {
          timer: setTimeout(() => {
            pendingDelays.delete(entry);
            resolve();
          }, ms),
          resolve,
        };
        pendingDelays.add(entry);
      }),
  };
  const routes: Route[] = [
    ...chatRoutes(runtime),
    ...embeddingRoutes(),
    ...fileRoutes(state.files),
    ...batchRoutes(runtime),
    ...fineTuningRoutes(runtime),
    ...togetherFineTuneRoutes(runtime),
    ...nebiusModelRoutes(runtime),
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.local');
    const method = req.method ?? 'GET';
    const rawBody = await readBody(req);
    const ctx: RequestContext = { req, res, method, path: url.pathname, query: url.searchParams, rawBody, requestId: makeId('req_', 32), fault: undefined, extraHeaders: {} };
    let recorded: RecordedRequest | undefined;
    if (options.recordRequests !== false) {
      recorded = { method, path: url.pathname, body: recordedBody(req, rawBody), headers: req.headers, time: Date.now() };
      state.requests.push(recorded);
    }
    try {
      await route(ctx, method, url);
    } finally {
      if (recorded !== undefined) {
        recorded.doneTime = Date.now();
        recorded.delivered = res.writableEnded && !res.destroyed;
        if (res.headersSent) recorded.status = res.statusCode;
      }
    }
  }

  async function route(ctx: RequestContext, method: string, url: URL): Promise<void> {
    const { req, rawBody } = ctx;
    try {
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        throw new HttpError(401, 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
      }
      const fault = faults.pick(method, url.pathname, rawBody.toString('utf8'));
      if (fault !== undefined) {
        if (applyEarlyFault(ctx, fault)) return;
        const error = faultError(fault);
        if (error !== undefined) throw error;
        if (fault.kind === 'slow') await runtime.delay(fault.delayMs ?? 60_000);
        ctx.fault = fault;
      }
      for (const route of routes) {
        if (route.method !== method) continue;
        const match = route.pattern.exec(url.pathname);
        if (match !== null) {
          await route.handle(ctx, match.slice(1));
          return;
        }
      }
      throw new HttpError(404, `Invalid URL (${method} ${url.pathname})`, 'invalid_request_error', null);
    } catch (error) {
      if (error instanceof HttpError) sendError(ctx, error);
      else sendError(ctx, new HttpError(500, `Fake provider bug: ${error instanceof Error ? error.message : String(error)}`, 'server_error'));
    }
  }

  const server = createServer((req, res) => {
    // Only a client that vanished mid-upload gets here (handler errors are answered inside `handle`).
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/v1`,
    port: address.port,
    state,
    setBehaviour(patch) {
      behaviour = {
        ...behaviour,
        ...patch,
        batch: { ...behaviour.batch, ...patch.batch },
        fineTuning: { ...behaviour.fineTuning, ...patch.fineTuning },
      };
      if (patch.faults !== undefined) faults = new FaultInjector(behaviour.faults);
    },
    async close() {
      for (const entry of pendingDelays) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      pendingDelays.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
