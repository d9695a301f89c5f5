import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { errorMessage } from '../errors.js';
import { bearerAuth } from './bearer-auth.js';
import type { ChatDependencies } from './chat-dependencies.js';
import { requestInput } from './chat-request.js';
import { ChatExchange } from './chat-exchange.js';
import { completeChat } from './complete-chat.js';
import { GatewayError, openAiErrorBody } from './gateway-error.js';
import { parseChatBody } from './parse-chat-body.js';
import { streamChat } from './stream-chat.js';
import { ClientClosedError } from './upstream-calls.js';
import { tokenLimits, type GatewayEnv, type TokenLimitSettings } from './token-limits.js';

export interface GatewayAppOptions extends ChatDependencies {
  /** The model id the gateway answers as. */
  modelName: string;
  /** The bearer tokens clients may send; limits apply to each separately. */
  token: string | readonly string[];
  limits?: TokenLimitSettings;
  publicMetrics: boolean;
  maxBodyBytes: number;
}

function errorResponse(context: Context, error: GatewayError): Response {
  return context.json(error.body(), error.status as ContentfulStatusCode, error.headers());
}

/** The gateway's routes: OpenAI-compatible chat completions and models, /metrics and /health. */
export function createGatewayApp(options: GatewayAppOptions): Hono<GatewayEnv> {
  const { recorder, modelName } = options;
  const metrics = recorder.metrics;
  const created = Math.floor(Date.now() / 1000);
  const app = new Hono<GatewayEnv>();
  const auth = bearerAuth(options.token);

  app.use('/v1/*', async (context, next) => {
    await next();
    if (context.res.status >= 400 && context.res.status < 500) metrics.rejected.inc({ status: String(context.res.status) });
  });
  app.use('/v1/*', auth);
  if (!options.publicMetrics) {
    app.use('/metrics', auth);
    app.use('/health', auth);
  }

  app.get('/health', (context) => context.json({ status: 'ok', in_flight: recorder.active }));
  app.get('/metrics', async (context) => context.body(await metrics.render(), 200, { 'content-type': metrics.contentType }));

  const modelObject = { id: modelName, object: 'model', created, owned_by: 'distillery' };
  app.get('/v1/models', (context) => context.json({ object: 'list', data: [modelObject] }));
  app.get('/v1/models/:model{.+}', (context) => {
    if (context.req.param('model') !== modelName) throw modelNotFound(context.req.param('model'));
    return context.json(modelObject);
  });

  app.post(
    '/v1/chat/completions',
    tokenLimits(options.limits ?? {}),
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (context) => errorResponse(context, new GatewayError(413, `The request body is larger than ${options.maxBodyBytes} bytes.`, 'invalid_request_error', 'request_too_large')),
    }),
    async (context) => {
      const request = parseChatBody(await context.req.text());
      if (request.model !== modelName) throw modelNotFound(request.model);
      const exchange = new ChatExchange(request, requestInput(request), modelName);
      const signal = context.req.raw.signal;
      recorder.start();
      try {
        return exchange.stream ? await streamChat(options, exchange, signal) : await completeChat(options, exchange, signal);
      } catch (error) {
        recorder.finish(exchange, error instanceof ClientClosedError ? 'cancelled' : 'failed', error);
        throw error;
      }
    },
  );

  app.notFound((context) => errorResponse(context, new GatewayError(404, `Unknown path: ${context.req.method} ${context.req.path}`, 'invalid_request_error', 'unknown_url')));
  app.onError((error, context) => {
    if (error instanceof GatewayError) {
      if (error.status >= 500) recorder.logError(`${context.req.method} ${context.req.path} → ${error.status}: ${describeCause(error)}`);
      return errorResponse(context, error);
    }
    if (error instanceof ClientClosedError) return context.body(null, 499 as ContentfulStatusCode);
    recorder.logError(`${context.req.method} ${context.req.path} → 500: ${error.stack ?? errorMessage(error)}`);
    return context.json(openAiErrorBody('The server had an error while processing your request.', 'server_error'), 500);
  });
  return app;
}

function modelNotFound(model: string): GatewayError {
  return new GatewayError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found', 'model');
}

function describeCause(error: GatewayError): string {
  return error.cause === undefined ? error.message : `${error.message} (${errorMessage(error.cause)})`;
}
