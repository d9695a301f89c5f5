import { chatRequestSchema, type ChatRequest } from './chat-request.js';
import { GatewayError } from './gateway-error.js';

/** The request body, as JSON and against the schema; OpenAI-style 400s name what is wrong. */
export function parseChatBody(text: string): ChatRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(400, 'We could not parse the JSON body of your request. The body must be valid JSON.', 'invalid_request_error', 'invalid_json', null, { cause: error });
  }
  const parsed = chatRequestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue === undefined || issue.path.length === 0 ? null : issue.path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
    const where = param === null ? 'the request body' : `'${param}'`;
    throw new GatewayError(400, `Invalid ${where}: ${issue?.message ?? 'does not match the schema'}.`, 'invalid_request_error', 'invalid_value', param);
  }
  return parsed.data;
}
