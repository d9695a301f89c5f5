import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { DistilleryError } from '../errors.js';
import { HttpClient, type HttpResponse, type RequestOptions } from '../llm/http-client.js';
import type { TransportResponse } from '../llm/transport.js';
import { sleep } from '../llm/retry.js';
import type { LocalServer } from '../local-worker/local-server.js';
import { ExclusiveGate } from './exclusive-gate.js';

export class VllmServerError extends DistilleryError {}

export interface VllmServerOptions {
  /** The interpreter of vLLM's managed environment. */
  python: string;
  model: string;
  /** Name the base model answers to (default: the model path). */
  servedName?: string;
  /** LoRA adapters served beside the base, by name; more can be loaded later with `loadAdapter`. */
  adapters?: Record<string, string>;
  /** Serve adapters at all (`--enable-lora`); implied by `adapters`. */
  enableLora?: boolean;
  /** The largest LoRA rank to serve (default: the largest among `adapters`, at least 16). */
  maxLoraRank?: number;
  /** CPU KV-cache size in GiB (`VLLM_CPU_KVCACHE_SPACE`, default 1). */
  kvCacheGiB?: number;
  /** Longest prompt + answer, in tokens (default: the model's own). */
  maxModelLen?: number;
  /** Weights and activations type (default: the checkpoint's `dtype` in config.json; vLLM's own `auto` would run a float32 checkpoint in bfloat16 on CPU). */
  dtype?: string;
  logFile?: string;
  startTimeoutMs?: number;
  environment?: NodeJS.ProcessEnv;
}

export interface VllmServer extends LocalServer {
  /** The key the server was started with (127.0.0.1 only), for a client outside this process (the trainer). */
  apiKey: string;
  /** Whether the server was started with `--enable-lora` (adapters can only join such a server). */
  readonly lora: boolean;
  /** Loads a LoRA adapter into the running server under `name` (vLLM's runtime adapter API). */
  loadAdapter(name: string, dir: string): Promise<void>;
  /** Makes the base model answer to `name` too (vLLM takes its names at start; requests are renamed client-side). */
  addName(name: string): void;
  /** The last lines vLLM wrote (for errors). */
  logTail(): string;
}

/** A free TCP port on 127.0.0.1 (vLLM takes a port number, not 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function adapterRank(dir: string): number {
  const file = join(dir, 'adapter_config.json');
  if (!existsSync(file)) throw new VllmServerError(`${dir} is not a PEFT LoRA adapter (no adapter_config.json)`);
  const rank = (JSON.parse(readFileSync(file, 'utf8')) as { r?: unknown }).r;
  return typeof rank === 'number' ? rank : 16;
}

/** The dtype a checkpoint was saved in (config.json `dtype`, or `torch_dtype` before transformers 5), else `auto`. */
export function checkpointDtype(model: string): string {
  const file = join(model, 'config.json');
  if (!existsSync(file)) return 'auto';
  const config = JSON.parse(readFileSync(file, 'utf8')) as { dtype?: unknown; torch_dtype?: unknown };
  const dtype = config.dtype ?? config.torch_dtype;
  return typeof dtype === 'string' && ['float32', 'bfloat16', 'float16'].includes(dtype) ? dtype : 'auto';
}

/** vLLM's supported LoRA ranks; the server is started with the smallest that fits every adapter. */
const LORA_RANKS = [8, 16, 32, 64, 128, 256, 320, 512];

/**
 * Starts vLLM's OpenAI-compatible server (`python -m vllm.entrypoints.openai.api_server`; the CPU
 * distribution has no `vllm serve`) on 127.0.0.1 with a fresh API key, and waits until `/health` answers.
 * A process that dies first is reported with the tail of its log.
 */
export async function startVllmServer(options: VllmServerOptions): Promise<VllmServer> {
  const port = await freePort();
  const apiKey = `dst-${randomBytes(18).toString('base64url')}`;
  const servedName = options.servedName ?? options.model;
  const adapters = Object.entries(options.adapters ?? {});
  const lora = options.enableLora === true || adapters.length > 0;
  const args = ['-m', 'vllm.entrypoints.openai.api_server', '--model', options.model, '--served-model-name', servedName, '--host', '127.0.0.1', '--port', String(port), '--api-key', apiKey, '--dtype', options.dtype ?? checkpointDtype(options.model), '--disable-uvicorn-access-log'];
  if (options.maxModelLen !== undefined) args.push('--max-model-len', String(options.maxModelLen));
  if (lora) {
    const needed = Math.max(options.maxLoraRank ?? 16, ...adapters.map(([, dir]) => adapterRank(dir)));
    const rank = LORA_RANKS.find((value) => value >= needed) ?? needed;
    args.push('--enable-lora', '--max-lora-rank', String(rank), '--max-loras', String(Math.max(1, adapters.length)));
    if (adapters.length > 0) args.push('--lora-modules', ...adapters.map(([name, dir]) => `${name}=${dir}`));
  }
  const child = spawn(options.python, args, {
    env: {
      VLLM_CPU_KVCACHE_SPACE: String(options.kvCacheGiB ?? 1),
      ...(options.environment ?? process.env),
      VLLM_ALLOW_RUNTIME_LORA_UPDATING: lora ? 'True' : 'False',
      VLLM_NO_USAGE_STATS: '1',
      DO_NOT_TRACK: '1',
      PYTHONUNBUFFERED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: vLLM runs its engine in child processes, and stop() must end them all.
    detached: true,
  });
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const recent: string[] = [];
  const remember = (line: string): void => {
    log?.write(`${line}\n`);
    recent.push(line);
    if (recent.length > 40) recent.shift();
  };
  createInterface({ input: child.stdout! }).on('line', remember);
  createInterface({ input: child.stderr! }).on('line', remember);
  const logTail = (): string => recent.join('\n');

  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  child.once('error', (error) => (exited = `could not start ${options.python}: ${error.message}`));

  const baseURL = `http://127.0.0.1:${port}/v1`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 600_000);
  for (;;) {
    if (exited !== undefined) {
      log?.end();
      throw new VllmServerError(`vLLM server for ${options.model} exited (${exited}) before it was ready; its last lines:\n${logTail()}`);
    }
    if (Date.now() > deadline) {
      await stopGroup(child);
      log?.end();
      throw new VllmServerError(`vLLM server for ${options.model} was not ready within ${(options.startTimeoutMs ?? 600_000) / 1000} s; its last lines:\n${logTail()}`);
    }
    if (await healthy(port)) break;
    await sleep(500);
  }

  const http = new VllmClient({ baseURL, apiKey, timeoutMs: 600_000 }, lora, servedName);
  const names = [servedName, ...adapters.map(([name]) => name)];
  return {
    http,
    url: baseURL,
    apiKey,
    models: names,
    lora,
    logTail,
    addName(name: string): void {
      if (names.includes(name)) return;
      http.aliases.add(name);
      names.push(name);
    },
    async loadAdapter(name: string, dir: string): Promise<void> {
      if (!lora) throw new VllmServerError(`the vLLM server for ${options.model} was started without LoRA; cannot serve adapter ${name}`);
      if (names.includes(name)) return;
      // Answers plain text ("Success: LoRA adapter … added successfully."), not JSON.
      const body = JSON.stringify({ lora_name: name, lora_path: dir });
      await http.send('POST', '/load_lora_adapter', body, { 'content-type': 'application/json' }, {}).then((response) => response.text()).catch((error: unknown) => {
        throw new VllmServerError(`vLLM could not load adapter ${name} from ${dir}: ${(error as Error).message}\n${logTail()}`, { cause: error });
      });
      names.push(name);
    },
    async stop() {
      await stopGroup(child);
      log?.end();
    },
  };
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole process group, SIGKILL after a grace period. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const grace = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(grace);
  signal('SIGKILL'); // engine processes left behind by the front-end
}

/**
 * vLLM crashes when a request with `prompt_logprobs` is batched with others while LoRA is enabled (single
 * requests and batches without LoRA work): such requests run alone, every other request shares the engine.
 */
class VllmClient extends HttpClient {
  private readonly gate = new ExclusiveGate();
  /** Other names of the base model: a request for one is sent as the served name. */
  readonly aliases = new Set<string>();

  constructor(
    options: ConstructorParameters<typeof HttpClient>[0],
    private readonly lora: boolean,
    private readonly servedName: string,
  ) {
    super(options);
  }

  override jsonText<T>(method: string, path: string, schema: z.ZodType<T>, body: string | undefined, options?: RequestOptions): Promise<HttpResponse<T>> {
    const sent = this.renamed(body);
    return this.gate.run(this.alone(sent), () => super.jsonText(method, path, schema, sent, options));
  }

  override async send(method: string, path: string, body: string | Uint8Array | undefined, extraHeaders: Record<string, string>, options: RequestOptions): Promise<TransportResponse> {
    const sent = typeof body === 'string' ? this.renamed(body) : body;
    // A stream holds the engine until it is read to the end; only the request itself is gated here.
    return this.gate.run(this.alone(typeof sent === 'string' ? sent : undefined), () => super.send(method, path, sent, extraHeaders, options));
  }

  private renamed(body: string | undefined): string | undefined {
    if (body === undefined || this.aliases.size === 0 || !body.startsWith('{')) return body;
    const parsed = JSON.parse(body) as { model?: unknown };
    return typeof parsed.model === 'string' && this.aliases.has(parsed.model) ? JSON.stringify({ ...parsed, model: this.servedName }) : body;
  }

  private alone(body: string | undefined): boolean {
    return this.lora && body !== undefined && /"prompt_logprobs"\s*:\s*(?!null)/.test(body);
  }
}
