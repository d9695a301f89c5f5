import { createAdaptorServer } from '@hono/node-server';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DistilleryError } from '../errors.js';
import { FallbackPolicy } from './fallback-policy.js';
import { createGatewayApp } from './gateway-app.js';
import { GatewayMetrics } from './gateway-metrics.js';
import type { RequestLog } from './request-log.js';
import { RequestRecorder, type GatewayLogger } from './request-recorder.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { ServeTargets } from './serve-target.js';

export interface GatewayOptions {
  targets: ServeTargets;
  /** The parsed `serve:` section (serveSchema.parse fills the defaults). */
  config: ServeConfig;
  /** The model id the gateway answers as. */
  modelName: string;
  /** The bearer token(s) clients must send. */
  token: string | readonly string[];
  /** Where every request is recorded; none: metrics only. */
  requestLog?: RequestLog;
  /** Operator-facing details (upstream failures); default: stderr. */
  logger?: GatewayLogger;
  /** Override `config.port` / `config.host`. */
  port?: number;
  host?: string;
}

export interface Gateway {
  /** Base URL ending in /v1. */
  url: string;
  port: number;
  metrics: GatewayMetrics;
  /**
   * Stops accepting connections, lets requests in flight finish (up to `shutdown_grace_ms`, then cuts them),
   * then stops what the targets started. The request log's database stays open: its owner closes it.
   */
  close(): Promise<void>;
}

/** Could not listen (port taken, address not available). */
export class GatewayListenError extends DistilleryError {}

/** Starts the OpenAI-compatible gateway: student first, fallback when a rule says so. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const metrics = new GatewayMetrics();
  const recorder = new RequestRecorder(metrics, options.requestLog, options.logger ?? ((line) => process.stderr.write(`serve: ${line}\n`)));
  const app = createGatewayApp({
    targets: options.targets,
    policy: new FallbackPolicy(options.config.rules),
    studentTimeoutMs: options.config.student_timeout_ms,
    fallbackTimeoutMs: options.config.fallback_timeout_ms,
    recorder,
    modelName: options.modelName,
    token: options.token,
    limits: { concurrency: options.config.limits.concurrency, rpm: options.config.limits.rpm },
    publicMetrics: options.config.public_metrics,
    maxBodyBytes: options.config.max_body_bytes,
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const host = options.host ?? options.config.host;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new GatewayListenError(`cannot listen on ${host}:${options.port ?? options.config.port}: ${error.message}`, { cause: error }));
    server.once('error', onError);
    server.listen(options.port ?? options.config.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const responses = openResponses(server);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  async function shutDown(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.config.shutdown_grace_ms)));
    await Promise.race([responses.idle(), grace]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
    await options.targets.close?.();
  }

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    metrics,
    close: () => (closing ??= shutDown()),
  };
}

/** Counts responses not yet fully written, so a shutdown waits for them (streams included) to go out. */
function openResponses(server: Server): { idle(): Promise<void> } {
  let open = 0;
  let waiters: (() => void)[] = [];
  server.on('request', (_incoming, outgoing: ServerResponse) => {
    open++;
    outgoing.once('close', () => {
      open--;
      if (open === 0) for (const wake of waiters.splice(0)) wake();
    });
  });
  return { idle: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))) };
}
