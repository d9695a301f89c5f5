import { z } from 'zod';
import { DistilleryError } from '../errors.js';

/**
 * Top-k log-probabilities from the three shapes OpenAI-compatible servers return them in.
 *
 * Shapes as documented (read for this module):
 * - Chat Completions (OpenAI API reference, `choices[].logprobs`): `{ content: [{ token, logprob, bytes,
 *   top_logprobs: [{ token, logprob, bytes }] }] | null, refusal }`; vLLM returns the same, with tokens spelt
 *   `token_id:N` when the request sets `return_tokens_as_token_ids`.
 * - Legacy Completions (`choices[].logprobs`): `{ tokens: string[], token_logprobs: (number|null)[],
 *   top_logprobs: ({ [token]: logprob } | null)[], text_offset: number[] }`.
 * - vLLM `prompt_logprobs` (on a completion choice, or at the top of a chat response): one entry per prompt token,
 *   `null` for the first, otherwise `{ "<token id>": { logprob, rank, decoded_token } }` holding the prompt token
 *   and the top-k (vllm/logprobs.py: `PromptLogprobs = list[Optional[dict[int, Logprob]]]`, rank ≥ 1).
 */

/** One alternative at a position: a token's text (`text` kind) or vocabulary id (`id` kind), and its log-prob. */
export interface TokenAlternative {
  token: string | number;
  logprob: number;
}

/** One position: the token there (null when unknown, e.g. vLLM's first prompt token) and its top-k, most likely first. */
export interface PositionLogprobs {
  token: string | number | null;
  logprob: number | null;
  top: TokenAlternative[];
}

export interface ParsedLogprobs {
  /** `text`: tokens as the server spelt them; `id`: vocabulary ids. */
  tokenKind: 'text' | 'id';
  positions: PositionLogprobs[];
}

// `-9999.0` is what vLLM and OpenAI send for a -inf log-prob; JSON has no infinity, so any finite number passes.
const logprob = z.number().max(0);
const byteList = z.array(z.number().int().min(0).max(255)).nullable().optional();

const chatTopSchema = z.object({ token: z.string(), logprob, bytes: byteList });
const chatLogprobsSchema = z.object({
  content: z
    .array(z.object({ token: z.string(), logprob, bytes: byteList, top_logprobs: z.array(chatTopSchema).default([]) }))
    .nullable(),
});

const completionLogprobsSchema = z
  .object({
    tokens: z.array(z.string()),
    token_logprobs: z.array(logprob.nullable()),
    top_logprobs: z.array(z.record(z.string(), logprob).nullable()).nullable().optional(),
  })
  .refine((value) => value.tokens.length === value.token_logprobs.length, 'tokens and token_logprobs differ in length')
  .refine((value) => !value.top_logprobs || value.top_logprobs.length === value.tokens.length, 'tokens and top_logprobs differ in length');

const promptLogprobsSchema = z.array(
  z
    .record(
      z.string().regex(/^\d+$/, 'a token id'),
      z.object({ logprob, rank: z.number().int().positive().nullable().optional(), decoded_token: z.string().nullable().optional() }),
    )
    .nullable(),
);

/** A response whose log-probabilities do not have a documented shape. */
export class LogprobsShapeError extends DistilleryError {}

function invalid(where: string, error: z.ZodError): LogprobsShapeError {
  const issue = error.issues[0];
  const path = issue ? issue.path.join('.') : '';
  return new LogprobsShapeError(`${where}: unexpected log-probability shape${path ? ` at ${path}` : ''}: ${issue?.message ?? 'invalid'}`);
}

/** `token_id:123` (vLLM with return_tokens_as_token_ids) → 123; other spellings stay text. */
function tokenIdOf(token: string): number | null {
  const match = /^token_id:(\d+)$/.exec(token);
  return match ? Number(match[1]) : null;
}

/** Use ids when every token is spelt `token_id:N`, else keep the text. */
function normalizeKind(positions: PositionLogprobs[]): ParsedLogprobs {
  const tokens = positions.flatMap((position) => [position.token, ...position.top.map((item) => item.token)]).filter((token) => token !== null);
  const allIds = tokens.length > 0 && tokens.every((token) => typeof token === 'string' && tokenIdOf(token) !== null);
  if (!allIds) return { tokenKind: 'text', positions };
  const toId = (token: string | number | null): number | null => (token === null ? null : tokenIdOf(String(token)));
  return {
    tokenKind: 'id',
    positions: positions.map((position) => ({
      token: toId(position.token),
      logprob: position.logprob,
      top: position.top.map((item) => ({ token: toId(item.token) as number, logprob: item.logprob })),
    })),
  };
}

const byLogprob = (a: TokenAlternative, b: TokenAlternative): number => b.logprob - a.logprob;

/** `choices[index].logprobs` of a chat completion; null when the server sent none. */
export function parseChatLogprobs(response: unknown, index = 0): ParsedLogprobs | null {
  const raw = (response as { choices?: { logprobs?: unknown }[] } | null)?.choices?.[index]?.logprobs;
  if (raw === undefined || raw === null) return null;
  const parsed = chatLogprobsSchema.safeParse(raw);
  if (!parsed.success) throw invalid('chat logprobs', parsed.error);
  if (parsed.data.content === null) return null;
  return normalizeKind(
    parsed.data.content.map((item) => ({
      token: item.token,
      logprob: item.logprob,
      top: item.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob })).sort(byLogprob),
    })),
  );
}

/** `choices[index].logprobs` of a legacy completion; null when the server sent none. */
export function parseCompletionLogprobs(response: unknown, index = 0): ParsedLogprobs | null {
  const raw = (response as { choices?: { logprobs?: unknown }[] } | null)?.choices?.[index]?.logprobs;
  if (raw === undefined || raw === null) return null;
  const parsed = completionLogprobsSchema.safeParse(raw);
  if (!parsed.success) throw invalid('completion logprobs', parsed.error);
  const { tokens, token_logprobs: tokenLogprobs, top_logprobs: top } = parsed.data;
  return normalizeKind(
    tokens.map((token, position) => ({
      token,
      logprob: tokenLogprobs[position] ?? null,
      top: Object.entries(top?.[position] ?? {})
        .map(([text, value]) => ({ token: text, logprob: value }))
        .sort(byLogprob),
    })),
  );
}

/**
 * vLLM's `prompt_logprobs` (from `choices[index]` or the response's top level), ids as tokens. Each dict holds the
 * prompt token and the top-k; the prompt token is the entry `promptTokenIds[position]` names when given (vLLM returns
 * them with `return_token_ids`), else unknown (null) — it is kept among the alternatives only if it ranks in the top k.
 */
export function parsePromptLogprobs(response: unknown, options: { index?: number; topK?: number; promptTokenIds?: number[] } = {}): ParsedLogprobs | null {
  const body = response as { prompt_logprobs?: unknown; choices?: { prompt_logprobs?: unknown }[] } | null;
  const raw = body?.choices?.[options.index ?? 0]?.prompt_logprobs ?? body?.prompt_logprobs;
  if (raw === undefined || raw === null) return null;
  const parsed = promptLogprobsSchema.safeParse(raw);
  if (!parsed.success) throw invalid('prompt_logprobs', parsed.error);
  const ids = options.promptTokenIds;
  if (ids && ids.length !== parsed.data.length) {
    throw new LogprobsShapeError(`prompt_logprobs: ${parsed.data.length} positions but ${ids.length} prompt token ids`);
  }
  return {
    tokenKind: 'id',
    positions: parsed.data.map((entry, position) => {
      if (entry === null) return { token: ids?.[position] ?? null, logprob: null, top: [] };
      const entries = Object.entries(entry).map(([id, value]) => ({ token: Number(id), logprob: value.logprob, rank: value.rank ?? null }));
      const chosenId = ids?.[position];
      const chosen = chosenId === undefined ? undefined : entries.find((item) => item.token === chosenId);
      // Rank orders the top-k when vLLM gives it; a prompt token outside the top-k has rank > k and is dropped.
      const ranked = entries.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || b.logprob - a.logprob);
      const top = (options.topK === undefined ? ranked : ranked.filter((item) => item.rank === null || item.rank <= options.topK!)).slice(0, options.topK ?? ranked.length);
      return {
        token: chosenId ?? null,
        logprob: chosen?.logprob ?? null,
        top: top.map((item) => ({ token: item.token, logprob: item.logprob })),
      };
    }),
  };
}
