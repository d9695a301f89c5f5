import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { ConfigError } from '../errors.js';
import { generateToken } from '../serve/bearer-auth.js';
import type { RunCatalog } from './run-catalog.js';
import { isLoopback, loopbackHostOnly, tokenAccess } from './ui-access.js';
import { createUiApp } from './ui-app.js';

export interface UiServerOptions {
  catalog: RunCatalog;
  host: string;
  /** 0: any free port (tests). */
  port: number;
  /** Required beyond loopback; one is generated when none is given there. */
  token?: string;
}

export interface UiServer {
  /** The address to open, with `?token=` when one is required. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the dashboard until closed. Loopback needs no token; any other address requires one. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const root = new Hono();
  const loopback = isLoopback(options.host);
  const token = loopback ? options.token : (options.token ?? generateToken());
  if (loopback) root.use('*', loopbackHostOnly());
  if (token !== undefined) root.use('*', tokenAccess(token));
  root.route('/', createUiApp(options.catalog));
  const server = createAdaptorServer({ fetch: root.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new ConfigError(`cannot listen on ${options.host}:${options.port}: ${error.message}`, '--port')));
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
