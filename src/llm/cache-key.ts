import { hash } from 'node:crypto';

/** Canonical JSON (sorted keys, no undefined) so equal requests hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index === 0 ? '' : ',') + canonicalJson(value[index]);
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  let text = '{';
  for (const key of sortedKeys(object)) {
    const entry = object[key];
    if (entry === undefined) continue;
    text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(entry)}`;
  }
  return `${text}}`;
}

/**
 * Object keys in code-unit order. An insertion sort in place: request objects have a handful of keys, and
 * `Array.prototype.sort` allocates its work arrays on every call (a measurable share of the hot path).
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let at = index - 1;
    while (at >= 0 && keys[at]! > key) {
      keys[at + 1] = keys[at]!;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}

export function sha256(text: string): string {
  // The one-shot form: no Hash object per call (it is on the path of every request).
  return hash('sha256', text, 'hex');
}

/**
 * A chat request's body text and its response-cache key from one canonical serialization. The key is the
 * hash of `canonicalJson({ endpoint: baseURL, ...body })`: endpoint URL, model, messages and every
 * generation parameter; the body sent is the same text without the endpoint member.
 */
export function canonicalRequest(baseURL: string, body: Record<string, unknown>): { text: string; key: string } {
  const endpoint = `"endpoint":${JSON.stringify(baseURL)}`;
  let text = '';
  let keyed = '';
  let endpointPlaced = false;
  for (const key of sortedKeys(body)) {
    const entry = body[key];
    if (entry === undefined) continue;
    const member = `${JSON.stringify(key)}:${canonicalJson(entry)}`;
    text += text === '' ? member : `,${member}`;
    if (key === 'endpoint') continue;
    if (!endpointPlaced && key > 'endpoint') {
      keyed += keyed === '' ? endpoint : `,${endpoint}`;
      endpointPlaced = true;
    }
    keyed += keyed === '' ? member : `,${member}`;
  }
  if (!endpointPlaced) keyed += keyed === '' ? endpoint : `,${endpoint}`;
  return { text: `{${text}}`, key: sha256(`{${keyed}}`) };
}

/** The response cache key alone (see canonicalRequest). */
export function requestCacheKey(baseURL: string, body: Record<string, unknown>): string {
  return canonicalRequest(baseURL, body).key;
}
