import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getEventListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APICallError, APIConnectionError, APITimeoutError, RateLimitError } from './errors.js';
import { HttpClient } from './http-client.js';

/** These tests look at one exchange; retries are tested in provider-retries.test.ts. */
const ONE_ATTEMPT = { maxAttempts: 1 };

/** A raw HTTP server whose routes misbehave on purpose: stalls, drops, large and slow bodies. */
let server: Server;
let endlessClosed = false;
let baseURL: string;
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/echo': (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '7', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString('utf8'), authorization: req.headers.authorization ?? null }));
    });
  },
  '/no-headers': () => undefined,
  '/early-hints': (_req, res) => {
    // The real answer comes a moment later, as from a server that hints before it computes.
    res.writeEarlyHints({ link: '</style.css>; rel=preload' }, () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }, 50),
    );
  },
  '/stalled-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
  },
  '/drop-mid-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"partial":');
    setTimeout(() => res.socket?.destroy(), 10);
  },
  '/rate-limited': (_req, res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
    res.end(JSON.stringify({ error: { message: 'slow down' } }));
  },
  '/large': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(256 * 1024, 7);
    for (let index = 0; index < 16; index++) res.write(chunk);
    res.end();
  },
  '/events': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(`data: ${sent}\n\n`);
      if (++sent === 3) {
        clearInterval(timer);
        res.end();
      }
    }, 5);
  },
  '/endless-events': (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => res.write('data: tick\n\n'), 5);
    req.socket.on('close', () => {
      clearInterval(timer);
      endlessClosed = true;
    });
  },
};

beforeAll(async () => {
  server = createServer((req, res) => (routes[req.url ?? ''] ?? ((_, response) => response.writeHead(404).end()))(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const echoSchema = z.object({ method: z.string(), body: z.string(), authorization: z.string().nullable() });

describe('HttpClient over the undici pool', () => {
  it('sends the body and key, parses JSON, and returns lower-case headers with repeated ones joined', async () => {
    const http = new HttpClient({ baseURL, apiKey: 'sk-test' });
    const response = await http.jsonText('POST', '/echo', echoSchema, '{"a":1}');
    expect(response.data).toEqual({ method: 'POST', body: '{"a":1}', authorization: 'Bearer sk-test' });
    expect(response.headers['x-ratelimit-remaining-requests']).toBe('7');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('waits past an informational 103 for the real response', async () => {
    const response = await new HttpClient({ baseURL, retry: ONE_ATTEMPT }).json('GET', '/early-hints', z.object({ ok: z.boolean() }));
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ ok: true });
    expect(response.headers.link).toBeUndefined();
  });

  it('refuses to read a body twice, as fetch does, instead of waiting forever', async () => {
    const response = await new HttpClient({ baseURL, retry: ONE_ATTEMPT }).send('POST', '/echo', '{}', {}, {});
    const first = response.text();
    const second = await response.text().catch((caught: unknown) => caught);
    expect(second).toBeInstanceOf(TypeError);
    expect((second as Error).message).toContain('already read');
    expect(JSON.parse(await first)).toMatchObject({ method: 'POST', body: '{}' });
  });

  it('gives a typed error with Retry-After for a 429', async () => {
    const error = await new HttpClient({ baseURL, retry: ONE_ATTEMPT }).json('GET', '/rate-limited', z.unknown()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2000);
    expect((error as RateLimitError).responseBody).toContain('slow down');
  });

  it('times out when no headers come, and when the body stalls after them', async () => {
    const http = new HttpClient({ baseURL, timeoutMs: 150, retry: ONE_ATTEMPT });
    const started = performance.now();
    const beforeHeaders = await http.json('GET', '/no-headers', z.unknown()).catch((caught: unknown) => caught);
    expect(beforeHeaders).toBeInstanceOf(APITimeoutError);
    expect((beforeHeaders as APICallError).isRetryable).toBe(true);
    const stalled = await http.json('GET', '/stalled-body', z.unknown()).catch((caught: unknown) => caught);
    expect(stalled).toBeInstanceOf(APITimeoutError);
    expect((stalled as Error).message).toContain('timed out after 150 ms');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports a connection dropped mid-body as a retryable connection error', async () => {
    const error = await new HttpClient({ baseURL, retry: ONE_ATTEMPT }).json('GET', '/drop-mid-body', z.unknown()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APICallError).isRetryable).toBe(true);
  });

  it('aborts with the caller, not as a timeout, and leaves no listener on the caller’s signal', async () => {
    const http = new HttpClient({ baseURL, timeoutMs: 10_000 });
    const controller = new AbortController();
    // Many requests share the run's signal; each must unregister when it ends.
    await Promise.all(Array.from({ length: 20 }, () => http.jsonText('POST', '/echo', echoSchema, '{}', { signal: controller.signal })));
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    const pending = http.json('GET', '/no-headers', z.unknown(), undefined, { signal: controller.signal }).catch((caught: unknown) => caught);
    setTimeout(() => controller.abort(new Error('stop')), 30);
    const error = await pending;
    expect(error).toBeInstanceOf(APICallError);
    expect(error).not.toBeInstanceOf(APITimeoutError);
    expect((error as APICallError).isRetryable).toBe(false);
    expect((error as Error).message).toContain('was aborted');
    const already = await http.json('GET', '/echo', z.unknown(), undefined, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect((already as APICallError).isRetryable).toBe(false);
  });

  it('reads a large body whole, and the same body chunk by chunk', async () => {
    const http = new HttpClient({ baseURL, retry: ONE_ATTEMPT });
    const bytes = await http.bytes('/large');
    expect(bytes.length).toBe(16 * 256 * 1024);
    expect(bytes.every((byte) => byte === 7)).toBe(true);
    const response = await http.send('GET', '/large', undefined, {}, {});
    let total = 0;
    for await (const chunk of response.body) {
      total += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 1)); // a slow reader: the socket is paused, nothing lost
    }
    expect(total).toBe(16 * 256 * 1024);
  });

  it('streams events as they arrive, and a reader that stops early frees the connection', async () => {
    const http = new HttpClient({ baseURL, timeoutMs: 5000 });
    const response = await http.send('GET', '/events', undefined, { accept: 'text/event-stream' }, {});
    let text = '';
    for await (const chunk of response.body) text += Buffer.from(chunk).toString('utf8');
    expect(text).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n');

    const endless = await http.send('GET', '/endless-events', undefined, {}, {});
    let seen = 0;
    for await (const chunk of endless.body) {
      expect(Buffer.from(chunk).toString('utf8')).toContain('tick');
      if (++seen === 2) break;
    }
    // The abandoned exchange is aborted (the server sees its connection close), and the pool still works.
    await expect.poll(() => endlessClosed, { timeout: 2000 }).toBe(true);
    const after = await http.jsonText('POST', '/echo', echoSchema, '{"after":true}');
    expect(after.data.body).toBe('{"after":true}');
  });
});
