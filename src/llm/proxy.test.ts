import { createServer as createHttpServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeProvider, type FakeProvider } from '../../test/fake-provider/index.js';
import { HttpClient } from './http-client.js';

/**
 * HTTPS_PROXY / HTTP_PROXY and NO_PROXY, read when the connection pool is first built: this file runs in its
 * own process (vitest isolates test files), so setting them before the first request is what a user does.
 */
let provider: FakeProvider;
let proxy: Server;
const tunnelled: string[] = [];

beforeAll(async () => {
  provider = await startFakeProvider();
  // A CONNECT proxy (undici tunnels http and https alike) that records where each tunnel goes.
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    tunnelled.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  process.env.HTTP_PROXY = `http://127.0.0.1:${port}`;
  process.env.NO_PROXY = 'localhost';
});
afterAll(async () => {
  delete process.env.HTTP_PROXY;
  delete process.env.NO_PROXY;
  await provider.close();
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

describe('proxies from the environment', () => {
  it('goes through HTTP_PROXY, and straight to hosts NO_PROXY names', async () => {
    const models = z.object({ data: z.array(z.unknown()) });
    await new HttpClient({ baseURL: provider.url }).json('GET', '/models', models);
    expect(tunnelled).toEqual([`127.0.0.1:${provider.port}`]);
    await new HttpClient({ baseURL: `http://localhost:${provider.port}/v1` }).json('GET', '/models', models);
    expect(tunnelled).toHaveLength(1);
    expect(provider.state.requests.filter((request) => request.path === '/v1/models')).toHaveLength(2);
  });
});
