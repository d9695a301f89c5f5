import type { TaskConfigParsed } from '../../config/schema.js';
import type { DoctorCheck } from './doctor-check.js';

/** Key variables of the well-known providers, checked when no config names its own. */
const KNOWN_KEYS = ['OPENAI_API_KEY', 'NEBIUS_API_KEY', 'TOGETHER_API_KEY', 'HF_TOKEN'];

/** Each key variable the config names (or the well-known ones): set or not. Names only, never values. */
export function keyChecks(config: TaskConfigParsed | undefined, environment: NodeJS.ProcessEnv): DoctorCheck[] {
  const named = config ? [...new Set(Object.values(config.endpoints).flatMap((endpoint) => (endpoint.api_key_env ? [endpoint.api_key_env] : [])))] : KNOWN_KEYS;
  return named.map((name) => {
    const users = config ? Object.entries(config.endpoints).filter(([, endpoint]) => endpoint.api_key_env === name).map(([endpoint]) => endpoint) : [];
    const present = (environment[name] ?? '') !== '';
    if (present) return { area: 'keys', name, status: 'ok', detail: `set${users.length ? ` (endpoint ${users.join(', ')})` : ''}` };
    return config
      ? { area: 'keys', name, status: 'missing', detail: `not set; endpoint ${users.join(', ')} needs it`, fix: `export ${name}=… (the key is read from this variable only, never written to the run)` }
      : { area: 'keys', name, status: 'info', detail: 'not set' };
  });
}

export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

/** `GET {base_url}/models` on each configured endpoint, with its key when set, within `timeoutMs`. */
export async function endpointChecks(config: TaskConfigParsed, environment: NodeJS.ProcessEnv, timeoutMs: number, fetcher: FetchLike = fetch as unknown as FetchLike): Promise<DoctorCheck[]> {
  return Promise.all(
    Object.entries(config.endpoints).map(async ([name, endpoint]): Promise<DoctorCheck> => {
      const url = `${endpoint.base_url.replace(/\/+$/, '')}/models`;
      const key = endpoint.api_key_env ? environment[endpoint.api_key_env] : undefined;
      const headers: Record<string, string> = { ...endpoint.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) };
      const started = performance.now();
      try {
        const response = await fetcher(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        const milliseconds = Math.round(performance.now() - started);
        if (response.status === 401 || response.status === 403) {
          return { area: 'endpoints', name, status: 'missing', detail: `GET ${url}: HTTP ${response.status} (${milliseconds} ms)`, fix: endpoint.api_key_env ? `the provider refused the key: check ${endpoint.api_key_env}` : 'the endpoint wants a key: set api_key_env on it' };
        }
        if (response.status >= 400) return { area: 'endpoints', name, status: 'warn', detail: `GET ${url}: HTTP ${response.status} (${milliseconds} ms)`, fix: 'reachable, but /models is not answered: check base_url (it should end in /v1)' };
        const body = (await response.json().catch(() => undefined)) as { data?: unknown } | undefined;
        const models = Array.isArray(body?.data) ? `, ${body.data.length} models listed` : '';
        return { area: 'endpoints', name, status: 'ok', detail: `GET ${url}: HTTP ${response.status} (${milliseconds} ms${models})` };
      } catch (error) {
        const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
        return { area: 'endpoints', name, status: 'missing', detail: `GET ${url}: ${reason}`, fix: 'unreachable from here: check base_url, the network, or start the local server' };
      }
    }),
  );
}
