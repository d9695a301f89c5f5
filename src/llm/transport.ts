import { Agent, request as undiciRequest, type Dispatcher } from 'undici';

/** What HttpClient needs from an HTTP response, whichever library produced it. */
export interface TransportResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
  body: AsyncIterable<Uint8Array>;
}

export interface TransportRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  signal: AbortSignal;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * One keep-alive connection pool per process. undici's `request` costs a fifth of the CPU of `fetch`
 * per call (measured in bench/generate-throughput.ts), which is what lets one core drive 256 requests in flight.
 */
let sharedAgent: Agent | undefined;
function agent(): Agent {
  sharedAgent ??= new Agent({ connections: 2048, keepAliveTimeout: 30_000, pipelining: 1 });
  return sharedAgent;
}

export const undiciTransport: Transport = async (request) => {
  const response = await undiciRequest(request.url, {
    method: request.method as Dispatcher.HttpMethod,
    headers: request.headers,
    body: request.body as Dispatcher.DispatchOptions['body'],
    signal: request.signal,
    dispatcher: agent(),
    // The caller's AbortSignal is the one timeout; undici's own per-phase timeouts would fire first otherwise.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    status: response.statusCode,
    url: request.url,
    headers,
    text: () => response.body.text(),
    bytes: async () => new Uint8Array(await response.body.arrayBuffer()),
    body: response.body,
  };
};

/** Adapts a WHATWG `fetch` (injected by tests or by users who need a proxy-aware fetch). */
export function fetchTransport(fetchImplementation: typeof globalThis.fetch): Transport {
  return async (request) => {
    const response = await fetchImplementation(request.url, { method: request.method, headers: request.headers, body: request.body, signal: request.signal });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
    return {
      status: response.status,
      url: response.url || request.url,
      headers,
      text: () => response.text(),
      bytes: async () => new Uint8Array(await response.arrayBuffer()),
      body: (response.body ?? (async function* () {})()) as AsyncIterable<Uint8Array>,
    };
  };
}
