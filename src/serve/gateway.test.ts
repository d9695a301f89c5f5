import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../../test/fake-provider/index.js';
import { HttpClient } from '../llm/http-client.js';
import { openDatabase, type SqliteDatabase } from '../store/database.js';
import { parseExposition, sampleValue } from '../../test/helpers/exposition-parser.js';
import { startGateway, type Gateway } from './gateway.js';
import { RequestLog } from './request-log.js';
import { serveSchema, type ServeConfigInput } from '../config/serve-config.js';

const TOKEN = 'test-token-0123456789';
const MODEL = 'grammar-checker';

interface Harness {
  gateway: Gateway;
  student: FakeProvider;
  teacher: FakeProvider;
  log: RequestLog;
  operatorLines: string[];
  chat(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  get(path: string, token?: string): Promise<Response>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startHarness(config: ServeConfigInput = {}, student: FakeProviderOptions = {}, teacher: FakeProviderOptions = {}): Promise<Harness> {
  const studentProvider = await startFakeProvider({ answer: () => 'The cat sits on the mat.', ...student });
  const teacherProvider = await startFakeProvider({ answer: () => 'Teacher: the cat sits on the mat.', ...teacher });
  const database: SqliteDatabase = openDatabase(':memory:');
  const log = new RequestLog(database);
  const operatorLines: string[] = [];
  const gateway = await startGateway({
    targets: {
      student: { http: new HttpClient({ baseURL: studentProvider.url }), model: 'student-lora' },
      fallback: { http: new HttpClient({ baseURL: teacherProvider.url }), model: 'teacher-235b' },
    },
    config: serveSchema.parse({ port: 0, ...config }),
    modelName: MODEL,
    token: TOKEN,
    requestLog: log,
    logger: (line) => operatorLines.push(line),
  });
  closers.push(async () => {
    await gateway.close();
    await studentProvider.close();
    await teacherProvider.close();
    database.close();
  });
  const origin = gateway.url.replace(/\/v1$/, '');
  return {
    gateway,
    student: studentProvider,
    teacher: teacherProvider,
    log,
    operatorLines,
    chat: (body, headers = {}) =>
      fetch(`${gateway.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    get: (path, token = TOKEN) => fetch(`${origin}${path}`, { headers: token === '' ? {} : { authorization: `Bearer ${token}` } }),
  };
}

function request(input: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: MODEL, messages: [{ role: 'user', content: input }], ...extra };
}

interface StreamRead {
  content: string;
  chunks: Record<string, any>[];
  done: boolean;
}

async function readStream(response: Response): Promise<StreamRead> {
  const text = await response.text();
  const payloads = text.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice(6));
  const done = payloads.at(-1) === '[DONE]';
  const chunks = payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as Record<string, any>);
  const content = chunks.map((chunk) => (chunk.choices?.[0]?.delta?.content as string | undefined) ?? '').join('');
  return { content, chunks, done };
}

describe('gateway: answering as the student', () => {
  it('passes a non-streamed completion through in OpenAI shape and logs it', async () => {
    const harness = await startHarness();
    const response = await harness.chat(request('the cat sit on the mat', { max_tokens: 50, temperature: 0 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-distillery-served-by')).toBe('student');
    const body = (await response.json()) as Record<string, any>;
    expect(body).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ index: 0, message: { role: 'assistant', content: 'The cat sits on the mat.' }, finish_reason: 'stop' }] });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    const upstream = harness.student.state.requests.at(-1)!.body as Record<string, unknown>;
    expect(upstream).toMatchObject({ model: 'student-lora', max_tokens: 50, temperature: 0, messages: [{ role: 'user', content: 'the cat sit on the mat' }] });
    expect(harness.teacher.state.requests).toHaveLength(0);
    const [row] = harness.log.select('all');
    expect(row).toMatchObject({ input: 'the cat sit on the mat', studentOutput: 'The cat sits on the mat.', finalOutput: 'The cat sits on the mat.', servedBy: 'student', fallbackReason: null, status: 'ok', stream: false, completionId: body.id });
    expect(row!.latencyMs).toBeGreaterThan(0);
  });

  it('streams the student through as SSE chunks, with usage when asked, ending in [DONE]', async () => {
    const harness = await startHarness();
    const response = await harness.chat(request('the cat sit on the mat', { stream: true, stream_options: { include_usage: true } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = await readStream(response);
    expect(stream.done).toBe(true);
    expect(stream.content).toBe('The cat sits on the mat.');
    expect(stream.chunks[0]!.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(stream.chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === MODEL)).toBe(true);
    expect(stream.chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    expect(stream.chunks.at(-1)!.choices).toEqual([]);
    expect(stream.chunks.at(-1)!.usage.completion_tokens).toBeGreaterThan(0);
    expect((harness.student.state.requests[0]!.body as Record<string, unknown>).stream).toBe(true);
    expect(harness.log.select('all')[0]).toMatchObject({ stream: true, servedBy: 'student', finalOutput: 'The cat sits on the mat.', status: 'ok' });
  });

  it('lists the served model and nothing else', async () => {
    const harness = await startHarness();
    const models = (await (await harness.get('/v1/models')).json()) as Record<string, any>;
    expect(models).toMatchObject({ object: 'list', data: [{ id: MODEL, object: 'model' }] });
    const unknown = await harness.chat({ ...request('hi'), model: 'gpt-4o' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Record<string, any>).error.code).toBe('model_not_found');
  });
});

describe('gateway: fallback to the teacher', () => {
  it('falls back when the student errors, and records why', async () => {
    const harness = await startHarness({}, { faults: [{ match: { always: true }, kind: '500' }] });
    const response = await harness.chat(request('the cat sit'));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-distillery-served-by')).toBe('fallback');
    expect(response.headers.get('x-distillery-fallback-reason')).toBe('error');
    expect(((await response.json()) as Record<string, any>).choices[0].message.content).toBe('Teacher: the cat sits on the mat.');
    expect((harness.teacher.state.requests[0]!.body as Record<string, unknown>).model).toBe('teacher-235b');
    const [row] = harness.log.select('fallback');
    expect(row).toMatchObject({ servedBy: 'fallback', fallbackReason: 'error', studentOutput: null, finalOutput: 'Teacher: the cat sits on the mat.', status: 'ok' });
    expect(row!.fallbackDetail).toContain('HTTP 500');
  });

  it('falls back when the student times out, without waiting for it', async () => {
    const harness = await startHarness({ student_timeout_ms: 150 }, { latencyMs: 3000 });
    const started = performance.now();
    const response = await harness.chat(request('the cat sit'));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(response.headers.get('x-distillery-fallback-reason')).toBe('timeout');
    expect(harness.log.select('fallback')[0]).toMatchObject({ fallbackReason: 'timeout', finalOutput: 'Teacher: the cat sits on the mat.' });
  });

  it('falls back when a streamed student sends nothing before the timeout', async () => {
    const harness = await startHarness({ student_timeout_ms: 150 }, { latencyMs: 3000 });
    const stream = await readStream(await harness.chat(request('the cat sit', { stream: true })));
    expect(stream.content).toBe('Teacher: the cat sits on the mat.');
    expect(harness.log.select('fallback')[0]).toMatchObject({ fallbackReason: 'timeout', stream: true });
  });

  it('sends inputs longer than the limit straight to the fallback', async () => {
    const harness = await startHarness({ rules: { max_input_tokens: 20 } });
    const short = await harness.chat(request('short input'));
    expect(short.headers.get('x-distillery-served-by')).toBe('student');
    const long = await harness.chat(request('word '.repeat(100)));
    expect(long.headers.get('x-distillery-fallback-reason')).toBe('input_too_long');
    expect(harness.student.state.requests).toHaveLength(1);
    expect(harness.log.select('fallback')[0]!.fallbackDetail).toMatch(/more than 20/);
  });

  it('falls back when the student output fails the verifier, keeping what the student said', async () => {
    const answers = ['billing', 'maybe billing?'];
    const harness = await startHarness({ rules: { verify: { labels: ['billing', 'technical'] } } }, { answer: () => answers.shift() ?? '' }, { answer: () => 'technical' });
    expect(((await (await harness.chat(request('my invoice is wrong'))).json()) as Record<string, any>).choices[0].message.content).toBe('billing');
    const failed = await harness.chat(request('my app crashes'));
    expect(failed.headers.get('x-distillery-fallback-reason')).toBe('verifier_failed');
    expect(((await failed.json()) as Record<string, any>).choices[0].message.content).toBe('technical');
    expect(harness.log.select('fallback')).toMatchObject([{ input: 'my app crashes', studentOutput: 'maybe billing?', finalOutput: 'technical', fallbackReason: 'verifier_failed' }]);
  });

  it('buffers a streamed student answer when a verifier needs it, so a failing answer never reaches the client', async () => {
    const harness = await startHarness({ rules: { verify: { json: true } } }, { answer: () => 'not json at all' }, { answer: () => '{"label": "ok"}' });
    const stream = await readStream(await harness.chat(request('classify this', { stream: true })));
    expect(stream.content).toBe('{"label": "ok"}');
    expect(stream.done).toBe(true);
    expect((harness.student.state.requests[0]!.body as Record<string, unknown>).stream).toBeUndefined();
    expect(harness.log.select('fallback')[0]).toMatchObject({ fallbackReason: 'verifier_failed', studentOutput: 'not json at all', stream: true });
  });

  it('falls back when a streamed student fails before its first byte', async () => {
    const harness = await startHarness({}, { faults: [{ match: { always: true }, kind: '503' }] });
    const response = await harness.chat(request('the cat sit', { stream: true }));
    expect(response.headers.get('x-distillery-fallback-reason')).toBe('error');
    expect((await readStream(response)).content).toBe('Teacher: the cat sits on the mat.');
  });

  it('ends a stream with an error event when the student breaks off after its first byte', async () => {
    const harness = await startHarness({}, { answer: () => 'one two three four five six seven eight', faults: [{ match: { always: true }, kind: 'drop-mid-response' }] });
    const stream = await readStream(await harness.chat(request('count', { stream: true })));
    expect(stream.done).toBe(false);
    expect(stream.content.startsWith('one')).toBe(true);
    expect(stream.chunks.at(-1)!.error.type).toBe('server_error');
    expect(harness.teacher.state.requests).toHaveLength(0);
    expect(harness.log.select('all')[0]).toMatchObject({ servedBy: 'student', status: 'failed' });
  });

  it('answers 502 when the fallback fails too, and logs the request as failed', async () => {
    const fault = { faults: [{ match: { always: true } as const, kind: '500' as const }] };
    const harness = await startHarness({}, fault, fault);
    const response = await harness.chat(request('the cat sit'));
    expect(response.status).toBe(502);
    const body = (await response.json()) as Record<string, any>;
    expect(body.error).toMatchObject({ type: 'server_error', code: 'upstream_error' });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
    expect(harness.operatorLines.join('\n')).toContain('HTTP 500');
    expect(harness.log.select('failed')[0]).toMatchObject({ status: 'failed', fallbackReason: 'error' });
  });
});

describe('gateway: answers and clients', () => {
  it('removes a leading think block from answers, buffered and streamed alike', async () => {
    const harness = await startHarness({}, { answer: () => '<think>the verb is wrong</think>\n\nShe goes home.' });
    const buffered = (await (await harness.chat(request('she go home'))).json()) as Record<string, any>;
    expect(buffered.choices[0].message.content).toBe('She goes home.');
    expect((await readStream(await harness.chat(request('she go home', { stream: true })))).content).toBe('She goes home.');
    expect(harness.log.select('all').map((row) => row.finalOutput)).toEqual(['She goes home.', 'She goes home.']);
  });

  it('records a request whose client went away as cancelled, and asks no fallback', async () => {
    const harness = await startHarness({}, { latencyMs: 400 });
    const client = new AbortController();
    const staying = harness.chat(request('never mind'));
    const aborted = fetch(`${harness.gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(request('leaving early')),
      signal: client.signal,
    }).catch((error: unknown) => error);
    setTimeout(() => client.abort(), 100);
    expect(await aborted).toBeInstanceOf(Error);
    expect((await staying).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const rows = harness.log.select('all');
    expect(rows.find((row) => row.input === 'leaving early')).toMatchObject({ status: 'cancelled', servedBy: null });
    expect(rows.find((row) => row.input === 'never mind')).toMatchObject({ status: 'ok', servedBy: 'student' });
    expect(harness.teacher.state.requests).toHaveLength(0);
  });
});

describe('gateway: protection', () => {
  it('refuses a missing or wrong bearer token with 401', async () => {
    const harness = await startHarness();
    const missing = await harness.chat(request('hi'), { authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await missing.json()) as Record<string, any>).error.type).toBe('invalid_request_error');
    const wrong = await harness.chat(request('hi'), { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Record<string, any>).error.code).toBe('invalid_api_key');
    expect((await harness.get('/v1/models', '')).status).toBe(401);
    expect((await harness.get('/metrics', '')).status).toBe(401);
    expect((await harness.get('/health', 'wrong')).status).toBe(401);
    expect(harness.student.state.requests).toHaveLength(0);
  });

  it('serves /metrics and /health without a token only when public_metrics is set', async () => {
    const harness = await startHarness({ public_metrics: true });
    expect((await harness.get('/metrics', '')).status).toBe(200);
    expect(((await (await harness.get('/health', '')).json()) as Record<string, unknown>).status).toBe('ok');
    expect((await harness.chat(request('hi'), { authorization: '' })).status).toBe(401);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const harness = await startHarness({ max_body_bytes: 1000 });
    const response = await harness.chat(request('x'.repeat(2000)));
    expect(response.status).toBe(413);
    expect(((await response.json()) as Record<string, any>).error.code).toBe('request_too_large');
    expect(harness.student.state.requests).toHaveLength(0);
  });

  it('answers 400 in OpenAI shape for bad JSON and for schema violations', async () => {
    const harness = await startHarness();
    const badJson = await fetch(`${harness.gateway.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"model": "grammar-checker", "messages": [' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as Record<string, any>).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    const noMessages = await harness.chat({ model: MODEL });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as Record<string, any>).error.param).toBe('messages');
    const badRole = await harness.chat({ model: MODEL, messages: [{ role: 'wizard', content: 'hi' }] });
    expect(((await badRole.json()) as Record<string, any>).error.param).toBe('messages[0].role');
    expect(harness.student.state.requests).toHaveLength(0);
  });
});

describe('gateway: metrics and shutdown', () => {
  it('counts requests, fallbacks, tokens and latency in the Prometheus exposition', async () => {
    const harness = await startHarness({ student_timeout_ms: 1000 }, { faults: [{ match: { nth: 3 }, kind: '500' }] });
    for (let index = 0; index < 4; index++) await (await harness.chat(request(`input number ${index}`))).text();
    await harness.chat(request('hi'), { authorization: 'Bearer wrong' });
    const response = await harness.get('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const samples = parseExposition(await response.text());
    expect(sampleValue(samples, 'distillery_serve_requests_total', { model: 'student-lora', served_by: 'student', outcome: 'ok' })).toBe(3);
    expect(sampleValue(samples, 'distillery_serve_requests_total', { model: 'teacher-235b', served_by: 'fallback', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_fallbacks_total', { reason: 'error' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_fallbacks_total', { reason: 'timeout' })).toBe(0);
    expect(sampleValue(samples, 'distillery_serve_request_duration_seconds_count')).toBe(4);
    expect(sampleValue(samples, 'distillery_serve_request_duration_seconds_bucket', { le: '+Inf' })).toBe(4);
    expect(sampleValue(samples, 'distillery_serve_completion_tokens_total', { model: 'student-lora' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'distillery_serve_prompt_tokens_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'distillery_serve_rejected_total', { status: '401' })).toBe(1);
    expect(sampleValue(samples, 'distillery_serve_requests_in_flight')).toBe(0);
  });

  it('finishes requests in flight on close, and refuses new connections', async () => {
    const harness = await startHarness({}, { latencyMs: 300 });
    const pending = harness.chat(request('slow one'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = harness.gateway.close();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(((await response.json()) as Record<string, any>).choices[0].message.content).toBe('The cat sits on the mat.');
    await closed;
    await expect(harness.chat(request('too late'))).rejects.toThrow();
    expect(harness.log.select('all')).toHaveLength(1);
  });
});
