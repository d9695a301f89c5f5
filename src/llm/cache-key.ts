import { createHash } from 'node:crypto';

/** Canonical JSON (sorted keys, no undefined) so equal requests hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The response cache key: endpoint URL, model, messages and every generation parameter. */
export function requestCacheKey(baseURL: string, body: Record<string, unknown>): string {
  return sha256(canonicalJson({ endpoint: baseURL, ...body }));
}
