import { z } from 'zod';
import { readJsonl } from '../../data/jsonl.js';
import { DataError } from '../../errors.js';
import type { ParsedLogprobs, PositionLogprobs } from '../../llm/logprobs.js';

/**
 * `generate/logprobs.jsonl`: the teacher's top-k log-probabilities, one row per output id.
 *
 * Row: `{ id, token_kind: "text"|"id", k, tokens: [chosen token per position], top_tokens: [[≤ k tokens]],
 * token_logprobs: b64, top_logprobs: b64 }`. Log-probs are stored as little-endian float32, base64 (Python:
 * `numpy.frombuffer(base64.b64decode(s), "<f4")`): `top_logprobs` holds positions × k values, a position with fewer
 * than k alternatives padded with -inf; a null log-prob (vLLM's first prompt token) is NaN. Float32 is what the
 * servers compute in, so nothing is lost that a model produced; reading gives back exactly the float32 values.
 */

export interface LogprobsRow {
  id: string;
  logprobs: ParsedLogprobs;
}

const rowSchema = z.strictObject({
  id: z.string(),
  token_kind: z.enum(['text', 'id']),
  k: z.number().int().min(0).max(64),
  tokens: z.array(z.union([z.string(), z.number().int().nonnegative(), z.null()])),
  top_tokens: z.array(z.array(z.union([z.string(), z.number().int().nonnegative()]))),
  token_logprobs: z.string(),
  top_logprobs: z.string(),
});

function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function fromBase64(text: string, expected: number): Float32Array | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== expected * 4) return null;
  const values = new Float32Array(expected);
  for (let i = 0; i < expected; i++) values[i] = bytes.readFloatLE(i * 4);
  return values;
}

/** The JSON row for one output (k: the widest top-k at any position). */
export function encodeLogprobsRow(row: LogprobsRow): Record<string, unknown> {
  const { positions, tokenKind } = row.logprobs;
  const k = Math.max(0, ...positions.map((position) => position.top.length));
  const chosen = new Float32Array(positions.length);
  const top = new Float32Array(positions.length * k).fill(-Infinity);
  positions.forEach((position, index) => {
    chosen[index] = position.logprob ?? Number.NaN;
    position.top.forEach((item, slot) => (top[index * k + slot] = item.logprob));
  });
  return {
    id: row.id,
    token_kind: tokenKind,
    k,
    tokens: positions.map((position) => position.token),
    top_tokens: positions.map((position) => position.top.map((item) => item.token)),
    token_logprobs: toBase64(chosen),
    top_logprobs: toBase64(top),
  };
}

/** A stored row back as parsed log-probs; a DataError (file:line) when it is not one. */
export function decodeLogprobsRow(value: unknown, file: string, line?: number): LogprobsRow {
  const parsed = rowSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`not a logprobs row (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`, file, line);
  }
  const row = parsed.data;
  const count = row.tokens.length;
  if (row.top_tokens.length !== count) throw new DataError(`${count} tokens but ${row.top_tokens.length} top_tokens lists`, file, line);
  const chosen = fromBase64(row.token_logprobs, count);
  const top = fromBase64(row.top_logprobs, count * row.k);
  if (!chosen || !top) throw new DataError(`log-prob arrays do not hold ${count} positions × k = ${row.k}`, file, line);
  const idKind = row.token_kind === 'id';
  const positions: PositionLogprobs[] = row.tokens.map((token, index) => {
    const alternatives = row.top_tokens[index]!;
    if (alternatives.length > row.k) throw new DataError(`position ${index} has ${alternatives.length} alternatives, more than k = ${row.k}`, file, line);
    const wrongKind = [token, ...alternatives].some((item) => item !== null && (typeof item === 'number') !== idKind);
    if (wrongKind) throw new DataError(`position ${index} mixes token ids and token text (token_kind: ${row.token_kind})`, file, line);
    const logprob = chosen[index]!;
    return {
      token,
      logprob: Number.isNaN(logprob) ? null : logprob,
      top: alternatives.map((item, slot) => ({ token: item, logprob: top[index * row.k + slot]! })),
    };
  });
  return { id: row.id, logprobs: { tokenKind: row.token_kind, positions } };
}

/** Every row of `path` by output id; a later row for the same id (a retried answer) replaces the earlier one. */
export async function readLogprobsFile(path: string): Promise<Map<string, ParsedLogprobs>> {
  const rows = new Map<string, ParsedLogprobs>();
  for await (const { line, value } of readJsonl(path)) {
    const row = decodeLogprobsRow(value, path, line);
    rows.set(row.id, row.logprobs);
  }
  return rows;
}
