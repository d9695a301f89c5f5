import { DistilleryError } from '../errors.js';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'server_error' | 'timeout_error' | 'requests';

/**
 * An error the gateway answers with. `message` is public (it goes to the client); whatever detail must not
 * leave the process (upstream URLs, bodies) stays in `cause`, which the error handler logs.
 */
export class GatewayError extends DistilleryError {
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAiErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }

  /** Headers the answer carries (how to authenticate, when to retry). */
  headers(): Record<string, string> {
    return this.status === 401 ? { 'www-authenticate': 'Bearer' } : {};
  }

  /** The body in OpenAI's error shape. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return openAiErrorBody(this.message, this.type, this.code, this.param);
  }
}

export function openAiErrorBody(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}
