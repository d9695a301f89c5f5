import { z } from 'zod';
import type { HttpClient } from './http-client.js';
import { batchObjectSchema, type BatchObject } from './protocol.js';

/**
 * Batch statuses normalized across providers: OpenAI (validating, in_progress, finalizing, completed,
 * failed, expired, cancelling, cancelled), Nebius (validating, validated, running, done) and Together
 * (VALIDATING, IN_PROGRESS, COMPLETED, FAILED, EXPIRED, CANCELLED: upper case).
 */
export type BatchPhase = 'pending' | 'completed' | 'failed' | 'expired' | 'cancelled';

export function batchPhase(status: string): BatchPhase {
  switch (status.toLowerCase()) {
    case 'completed':
    case 'done':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'expired':
      return 'expired';
    case 'cancelled':
    case 'canceled':
      return 'cancelled';
    default:
      // validating, validated, in_progress, running, finalizing, cancelling, queued, …
      return 'pending';
  }
}

/** Together answers a create with `{job: BatchJob, warning?}`; the others with the batch itself. */
const togetherCreatedSchema = z.object({ job: batchObjectSchema, warning: z.string().optional() });

/**
 * Submits a batch. Not idempotent: HttpClient repeats it only after a failure that proves no batch was made;
 * after any other failure the batch may exist, and only a caller that lists batches (by `metadata` or
 * `input_file_id`) before submitting anew avoids paying for it twice.
 * Together documents no `metadata` field, so none is sent there; its `warning` is returned as `warning`.
 */
export async function createBatch(http: HttpClient, inputFileId: string, completionWindow: string, metadata?: Record<string, string>): Promise<BatchObject & { warning?: string }> {
  const body = { input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: completionWindow };
  if (http.flavor === 'together') {
    const created = (await http.json('POST', '/batches', togetherCreatedSchema, body)).data;
    return created.warning === undefined ? created.job : { ...created.job, warning: created.warning };
  }
  return (await http.json('POST', '/batches', batchObjectSchema, { ...body, metadata })).data;
}

export async function retrieveBatch(http: HttpClient, batchId: string): Promise<BatchObject> {
  return (await http.json('GET', `/batches/${encodeURIComponent(batchId)}`, batchObjectSchema)).data;
}

export async function cancelBatch(http: HttpClient, batchId: string): Promise<BatchObject> {
  // Cancelling twice is harmless: retried like a read.
  return (await http.json('POST', `/batches/${encodeURIComponent(batchId)}/cancel`, batchObjectSchema, {}, { idempotent: true })).data;
}

/** One request line of a batch input file. */
export function batchRequestLine(customId: string, body: Record<string, unknown>): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
}

const openAiResponseSchema = z.object({ status_code: z.number(), body: z.unknown() });

/**
 * The completion inside a batch output line. OpenAI: `response: {status_code, request_id, body: completion}`;
 * Nebius: `response` is the completion itself. Returns the completion, or an error string for a failed row.
 */
export function completionOfBatchLine(response: unknown, error: unknown): { completion: unknown } | { error: string } {
  if (error !== null && error !== undefined) return { error: describeBatchError(error) };
  const wrapped = openAiResponseSchema.safeParse(response);
  if (wrapped.success) {
    if (wrapped.data.status_code >= 400) return { error: `HTTP ${wrapped.data.status_code}: ${describeBatchError(wrapped.data.body)}` };
    return { completion: wrapped.data.body };
  }
  if (response !== null && typeof response === 'object' && 'choices' in response) return { completion: response };
  return { error: `unrecognized batch output line: ${JSON.stringify(response)?.slice(0, 200)}` };
}

function describeBatchError(error: unknown): string {
  if (typeof error === 'string') return error;
  const record = error as { message?: unknown; code?: unknown; error?: { message?: unknown; code?: unknown } };
  const inner = record.error ?? record;
  const code = typeof inner.code === 'string' ? `${inner.code}: ` : '';
  return typeof inner.message === 'string' ? `${code}${inner.message}` : JSON.stringify(error).slice(0, 300);
}

const listedBatchSchema = batchObjectSchema.extend({ metadata: z.record(z.string(), z.string()).nullable().optional() });
const batchListSchema = z.object({ data: z.array(listedBatchSchema), has_more: z.boolean().optional(), last_id: z.string().nullable().optional() });

/**
 * The batch whose `metadata[key]` is `value`, looked up in `GET /batches` (newest first, cursor pages):
 * how a run finds the batch it created when the create's answer was lost. Undefined after `maxPages`.
 */
export async function findBatchByMetadata(http: HttpClient, key: string, value: string, maxPages = 20): Promise<BatchObject | undefined> {
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const query = `?limit=100${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
    const list = (await http.json('GET', `/batches${query}`, batchListSchema)).data;
    const found = list.data.find((batch) => batch.metadata?.[key] === value);
    if (found !== undefined) return found;
    const last = list.last_id ?? list.data.at(-1)?.id;
    if (list.has_more !== true || last === undefined) return undefined;
    after = last;
  }
  return undefined;
}
