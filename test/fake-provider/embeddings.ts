import { HttpError, jsonObjectBody, sendJson } from './http.js';
import { hashString } from './seeded-random.js';
import { countTokens } from './tokens.js';
import type { Route } from './types.js';

const defaultDimensions = 256;

/**
 * A deterministic embedding: hashed bag of character trigrams of the lowercased, space-padded text, each trigram
 * adding ±1 to one of `dimensions` buckets, then L2-normalised. Near-identical texts share most trigrams and so
 * have a cosine near 1; unrelated texts sit near 0.
 */
export function embedText(text: string, dimensions = defaultDimensions): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const padded = `  ${text.toLowerCase()}  `;
  for (let index = 0; index + 3 <= padded.length; index += 1) {
    const hash = hashString(padded.slice(index, index + 3));
    const bucket = hash % dimensions;
    vector[bucket] = (vector[bucket] ?? 0) + ((hash >>> 31) === 1 ? -1 : 1);
  }
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

export function embeddingRoutes(): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/embeddings$/,
      handle(ctx) {
        const body = jsonObjectBody(ctx);
        if (typeof body.model !== 'string' || body.model === '') {
          throw new HttpError(400, 'you must provide a model parameter', 'invalid_request_error', null, 'model');
        }
        const input = body.input;
        const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((item) => typeof item === 'string') ? (input as string[]) : undefined;
        if (texts === undefined || texts.length === 0) {
          throw new HttpError(400, "'input' must be a non-empty string or array of strings.", 'invalid_request_error', null, 'input');
        }
        const dimensions = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : defaultDimensions;
        const base64 = body.encoding_format === 'base64';
        const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
        sendJson(ctx, 200, {
          object: 'list',
          data: texts.map((text, index) => {
            const vector = embedText(text, dimensions);
            return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector };
          }),
          model: body.model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      },
    },
  ];
}
