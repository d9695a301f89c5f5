import { HttpClient, type HttpClientOptions } from './http-client.js';
import { MissingApiKeyError } from './errors.js';
import type { ProviderFlavor } from './provider-flavor.js';

export interface EndpointSettings {
  base_url: string;
  flavor?: ProviderFlavor;
  api_key_env?: string;
  headers?: Record<string, string>;
  /** Header name → environment variable holding its value (Azure's `api-key`, a gateway token). */
  headers_env?: Record<string, string>;
  timeout_s?: number;
  /** Attempts of every call to this endpoint (chat, files, batches, fine-tuning, embeddings). */
  max_attempts?: number;
}

/**
 * Builds the HTTP client of a configured endpoint. Keys are read from the named environment variables at
 * this moment only; they are never copied into config files, logs or errors.
 */
export function httpClientFor(
  name: string,
  endpoint: EndpointSettings,
  environment: NodeJS.ProcessEnv = process.env,
  fetchImplementation?: typeof fetch,
  extra: Pick<HttpClientOptions, 'onRetry' | 'signal'> = {},
): HttpClient {
  let apiKey: string | undefined;
  if (endpoint.api_key_env) {
    apiKey = environment[endpoint.api_key_env];
    if (!apiKey) {
      throw new MissingApiKeyError(`endpoint '${name}' needs an API key: set the environment variable ${endpoint.api_key_env}`);
    }
  }
  const headers: Record<string, string> = { ...endpoint.headers };
  for (const [header, variable] of Object.entries(endpoint.headers_env ?? {})) {
    const value = environment[variable];
    if (!value) throw new MissingApiKeyError(`endpoint '${name}' needs the header ${header}: set the environment variable ${variable}`);
    headers[header.toLowerCase()] = value;
  }
  return new HttpClient({
    baseURL: endpoint.base_url,
    flavor: endpoint.flavor,
    apiKey,
    headers,
    timeoutMs: (endpoint.timeout_s ?? 600) * 1000,
    retry: endpoint.max_attempts === undefined ? undefined : { maxAttempts: endpoint.max_attempts },
    fetch: fetchImplementation,
    onRetry: extra.onRetry,
    signal: extra.signal,
  });
}
