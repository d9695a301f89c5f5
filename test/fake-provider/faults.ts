import { HttpError, type RequestContext } from './http.js';
import { seededRandom } from './seeded-random.js';

/**
 * Fault injection. A rule picks requests (by 1-based index on its endpoint, by seeded random rate, by text
 * in the raw request body, or by predicate) and does one thing to them:
 * - `429`: rate-limit error with `Retry-After` (seconds, default 1) and/or `retry-after-ms`;
 * - `500` / `503`: OpenAI-style JSON server errors; `502`: an HTML page, as a gateway in front sends;
 * - `drop-before-response`: the socket is destroyed before any byte of response;
 * - `drop-mid-response`: status and headers and part of the body (or of the SSE stream), then the socket is destroyed;
 * - `slow`: the answer comes after `delayMs` (default 60 s), beyond a client timeout;
 * - `empty-content`: a 200 chat completion whose content is `""`;
 * - `truncate`: a 200 chat completion cut to half its tokens with `finish_reason: "length"`.
 * The first matching rule wins. Rules apply to `endpoint` (default `/v1/chat/completions`; `*` for every path;
 * a prefix matches the paths below it).
 */
export type FaultKind =
  | '429'
  | '500'
  | '502'
  | '503'
  | 'drop-before-response'
  | 'drop-mid-response'
  | 'slow'
  | 'empty-content'
  | 'truncate';

export interface FaultRequest {
  /** 1-based index of this request among those on the rule's endpoint. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly bodyText: string;
}

export type FaultMatch =
  | { nth: number | readonly number[] }
  | { rate: number; seed?: number }
  | { inputContains: string }
  | { predicate: (request: FaultRequest) => boolean }
  | { always: true };

export interface FaultRule {
  match: FaultMatch;
  kind: FaultKind;
  endpoint?: string;
  /** For 429: `Retry-After` in seconds. */
  retryAfter?: number;
  /** For 429: `retry-after-ms`. */
  retryAfterMs?: number;
  /** For `slow`: milliseconds before answering. */
  delayMs?: number;
  /** Fire at most this many times. */
  times?: number;
}

interface RuleState {
  readonly rule: FaultRule;
  readonly random: () => number;
  seen: number;
  fired: number;
}

const defaultEndpoint = '/v1/chat/completions';

function appliesTo(rule: FaultRule, path: string): boolean {
  const endpoint = rule.endpoint ?? defaultEndpoint;
  return endpoint === '*' || path === endpoint || path.startsWith(`${endpoint}/`);
}

export class FaultInjector {
  private readonly rules: RuleState[];

  constructor(rules: readonly FaultRule[]) {
    this.rules = rules.map((rule) => ({
      rule,
      random: seededRandom('rate' in rule.match ? (rule.match.seed ?? 1) : 1),
      seen: 0,
      fired: 0,
    }));
  }

  /** Count the request against every rule of its endpoint and return the first rule that fires. */
  pick(method: string, path: string, bodyText: string): FaultRule | undefined {
    let chosen: FaultRule | undefined;
    for (const state of this.rules) {
      if (!appliesTo(state.rule, path)) continue;
      state.seen += 1;
      const request: FaultRequest = { index: state.seen, method, path, bodyText };
      // Every rate rule draws once per request on its endpoint, fired or not, so sequences are reproducible.
      const matched = matches(state, request);
      if (chosen !== undefined || !matched) continue;
      if (state.rule.times !== undefined && state.fired >= state.rule.times) continue;
      state.fired += 1;
      chosen = state.rule;
    }
    return chosen;
  }
}

function matches(state: RuleState, request: FaultRequest): boolean {
  const match = state.rule.match;
  if ('nth' in match) return typeof match.nth === 'number' ? match.nth === request.index : match.nth.includes(request.index);
  if ('rate' in match) return state.random() < match.rate;
  if ('inputContains' in match) return request.bodyText.includes(match.inputContains);
  if ('predicate' in match) return match.predicate(request);
  return match.always;
}

/** The error a status fault answers with, or undefined for the faults that are not a plain error response. */
export function faultError(rule: FaultRule): HttpError | undefined {
  switch (rule.kind) {
    case '429': {
      const headers: Record<string, string> = {};
      if (rule.retryAfter !== undefined || rule.retryAfterMs === undefined) headers['retry-after'] = String(rule.retryAfter ?? 1);
      if (rule.retryAfterMs !== undefined) headers['retry-after-ms'] = String(rule.retryAfterMs);
      return new HttpError(
        429,
        'Rate limit reached for requests. Please try again later.',
        'requests',
        'rate_limit_exceeded',
        null,
        headers,
      );
    }
    case '500':
      return new HttpError(
        500,
        'The server had an error while processing your request. Sorry about that!',
        'server_error',
        null,
      );
    case '503':
      return new HttpError(503, 'The engine is currently overloaded, please try again later.', 'server_error', null);
    default:
      return undefined;
  }
}

const badGatewayPage =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

/** Carry out the faults that end the request before any handler runs. Returns true when the request is done. */
export function applyEarlyFault(ctx: RequestContext, rule: FaultRule): boolean {
  if (rule.kind === 'drop-before-response') {
    ctx.req.socket.destroy();
    return true;
  }
  if (rule.kind === '502') {
    ctx.res.writeHead(502, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(badGatewayPage)) });
    ctx.res.end(badGatewayPage);
    return true;
  }
  return false;
}
