import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChatPieces } from '../serve/upstream-stream.js';
import { streamChatCompletion } from './chat-stream.js';
import { APICallError, APIConnectionError, InvalidResponseError } from './errors.js';
import { HttpClient } from './http-client.js';
import { ModelClient } from './model-client.js';

/** A server whose streams differ only in framing; the model name picks the framing. */
const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
const usage = JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } });
const events = [chunk({ role: 'assistant', content: '' }), chunk({ reasoning_content: 'hmm' }), chunk({ content: 'Hello' }), chunk({ content: ' wide' }), chunk({ content: ' world' }), chunk({}, 'stop'), usage, '[DONE]'];

let server: Server;
let baseURL: string;
const bodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string };
      bodies.push(body);
      if (body.model === 'json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'c2', object: 'chat.completion', created: 1, model: 'json', choices: [{ index: 0, message: { role: 'assistant', content: 'Whole answer' }, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 2 } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const end = body.model === 'crlf' ? '\r\n' : body.model === 'cr' ? '\r' : '\n';
      const text = events.map((data) => `data: ${data}${end}${end}`).join('');
      if (body.model === 'split') {
        // Cut at every 7 bytes, CRLF pairs split between two writes included.
        const framed = events.map((data) => `: keep-alive\r\ndata: ${data}\r\n\r\n`).join('');
        for (let at = 0; at < framed.length; at += 7) {
          res.write(framed.slice(at, at + 7));
          await new Promise((resolve) => setImmediate(resolve));
        }
        res.end();
        return;
      }
      if (body.model === 'no-final-blank-line') {
        // `data: [DONE]` with no blank line after it: the answer before it is whole.
        res.end(text.replace(/\n\n$/, ''));
        return;
      }
      if (body.model === 'cut-short') {
        // The connection closes cleanly between two events: no finish_reason, no [DONE] (a proxy or server restart).
        res.end(events.slice(0, 4).map((data) => `data: ${data}\n\n`).join(''));
        return;
      }
      if (body.model === 'error-mid-stream') {
        // vLLM's way (and OpenAI's) of failing after the first tokens: an error event, then [DONE].
        const error = JSON.stringify({ error: { object: 'error', message: 'engine died', type: 'InternalServerError', code: 500 } });
        res.end([...events.slice(0, 4), error, '[DONE]'].map((data) => `data: ${data}\n\n`).join(''));
        return;
      }
      if (body.model === 'no-done') {
        // A server that ends after the finish_reason and usage without `[DONE]`: the answer is whole.
        res.end(events.slice(0, -1).map((data) => `data: ${data}\n\n`).join(''));
        return;
      }
      if (body.model === 'garbage') {
        res.end('data: {not json\n\n');
        return;
      }
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ask = (model: string) => streamChatCompletion(new HttpClient({ baseURL }), { model, messages: [{ role: 'user', content: 'hi' }] });

describe('streamed chat completions (one SSE parser for client and gateway)', () => {
  it.each(['lf', 'crlf', 'cr', 'split', 'no-final-blank-line', 'no-done'])('assembles the answer from a %s stream', async (model) => {
    const result = await ask(model);
    expect(result).toMatchObject({ content: 'Hello wide world', reasoningContent: 'hmm', finishReason: 'stop', usage: { prompt_tokens: 5, completion_tokens: 3 } });
    expect(result.timeToFirstTokenMs).not.toBeNull();
  });

  it('takes a JSON body answered to a streaming request as the answer', async () => {
    const result = await ask('json');
    expect(result).toMatchObject({ content: 'Whole answer', finishReason: 'stop', usage: { prompt_tokens: 4, completion_tokens: 2 } });
  });

  it('a malformed chunk is a retryable InvalidResponseError, not an empty answer', async () => {
    const error = await ask('garbage').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).isRetryable).toBe(true);
  });

  it('a stream that ends with neither a finish_reason nor [DONE] is a retryable broken stream, not a short answer', async () => {
    const error = await ask('cut-short').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).isRetryable).toBe(true);
    const pieces: string[] = [];
    const gateway = (async () => {
      for await (const piece of streamChatPieces(new HttpClient({ baseURL }), { model: 'cut-short', messages: [{ role: 'user', content: 'hi' }] }, {})) pieces.push(piece.content);
    })();
    await expect(gateway).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('an error event in the stream fails the answer (retryable for a server error), even when [DONE] follows it', async () => {
    const error = await ask('error-mid-stream').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APICallError);
    expect((error as APICallError).message).toMatch(/engine died/);
    expect((error as APICallError).isRetryable).toBe(true);
  });

  it('the gateway reads CRLF streams and JSON answers with the same parser', async () => {
    for (const model of ['crlf', 'json']) {
      let content = '';
      for await (const piece of streamChatPieces(new HttpClient({ baseURL }), { model, messages: [{ role: 'user', content: 'hi' }] }, {})) content += piece.content;
      expect(content).toBe(model === 'json' ? 'Whole answer' : 'Hello wide world');
    }
  });

  it('ModelClient streams when told to (teacher.stream) and asks for usage in the stream', async () => {
    bodies.length = 0;
    const client = new ModelClient({ http: new HttpClient({ baseURL }), concurrency: 1, stream: true });
    const outcome = await client.complete({ model: 'crlf', messages: [{ role: 'user', content: 'hi' }] });
    expect(outcome.result.content).toBe('Hello wide world');
    expect(bodies[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});
