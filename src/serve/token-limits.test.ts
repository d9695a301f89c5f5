import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider } from '../../test/fake-provider/index.js';
import { serveSchema } from '../config/serve-config.js';
import { HttpClient } from '../llm/http-client.js';
import { startGateway } from './gateway.js';
import { GatewayError } from './gateway-error.js';
import { tokenLimits, type GatewayEnv, type TokenLimitSettings } from './token-limits.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The middleware alone, with a clock the test moves and a handler that answers plain or as a stream it holds open. */
function limitedApp(settings: TokenLimitSettings) {
  const app = new Hono<GatewayEnv>();
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  app.onError((error, context) => (error instanceof GatewayError ? context.json(error.body(), error.status as 429, error.headers()) : context.text(String(error), 500)));
  app.use('*', async (context, next) => {
    context.set('token', context.req.header('x-token') ?? 'a');
    await next();
  });
  app.post('/chat', tokenLimits(settings), (context) => {
    if (context.req.query('stream') === undefined) return context.json({ ok: true });
    const body = new ReadableStream<Uint8Array>({ start: (controller) => void streams.push(controller) });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  });
  const post = (token = 'a', stream = false) => app.request(`/chat${stream ? '?stream' : ''}`, { method: 'POST', headers: { 'x-token': token } });
  return { post, streams };
}

describe('per-token limits', () => {
  it('refuses the request past rpm in any 60 s window with 429 and the seconds to wait', async () => {
    let now = 1_000_000;
    const { post } = limitedApp({ rpm: 3, now: () => now });
    for (let index = 0; index < 3; index++) expect((await post()).status).toBe(200);
    now += 20_000;
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    expect((await post('b')).status).toBe(200); // another token has its own window
    now += 40_000;
    expect((await post()).status).toBe(200);
  });

  it('counts a stream as in flight until its last byte, then frees the slot', async () => {
    const { post, streams } = limitedApp({ concurrency: 1 });
    const open = await post('a', true);
    expect(open.status).toBe(200);
    expect((await post()).status).toBe(429);
    expect((await post('b')).status).toBe(200);
    streams[0]!.enqueue(new TextEncoder().encode('data: [DONE]\n\n'));
    streams[0]!.close();
    expect(await open.text()).toBe('data: [DONE]\n\n');
    expect((await post()).status).toBe(200);
  });

  it('through the gateway: a token over its concurrency cap gets 429 without reaching a model; another token is served', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const student = await startFakeProvider({ answer: async () => (await gate, 'student') });
    const teacher = await startFakeProvider({ answer: () => 'teacher' });
    const gateway = await startGateway({
      targets: { student: { http: new HttpClient({ baseURL: student.url }), model: 's' }, fallback: { http: new HttpClient({ baseURL: teacher.url }), model: 't' } },
      config: serveSchema.parse({ port: 0, limits: { concurrency: 2, rpm: 100 } }),
      modelName: 'task',
      token: ['token-a', 'token-b'],
      logger: () => undefined,
    });
    closers.push(() => teacher.close(), () => student.close(), () => gateway.close());
    const ask = (token: string) =>
      fetch(`${gateway.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ model: 'task', messages: [{ role: 'user', content: 'hi' }] }) });
    const held = [ask('token-a'), ask('token-a')];
    await expect.poll(() => student.state.requests.length).toBe(2);
    const refused = await ask('token-a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    const other = ask('token-b');
    await expect.poll(() => student.state.requests.length).toBe(3);
    release();
    expect((await Promise.all([...held, other])).map((response) => response.status)).toEqual([200, 200, 200]);
    expect(teacher.state.requests).toHaveLength(0);
    expect((await ask('token-a')).status).toBe(200);
  });
});
