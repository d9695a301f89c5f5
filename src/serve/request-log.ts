import { z } from 'zod';
import type { SqliteDatabase } from '../store/database.js';
import { fallbackReasons, type FallbackReason } from '../config/serve-config.js';
import type { RequestOutcome, ServedBy } from './gateway-metrics.js';


export interface ServedRequest {
  completionId: string;
  /** ISO time the request arrived. */
  at: string;
  /** The model id the client asked for. */
  model: string;
  stream: boolean;
  /** The user message (the task input). */
  input: string;
  studentOutput: string | null;
  finalOutput: string | null;
  servedBy: ServedBy | null;
  fallbackReason: FallbackReason | null;
  fallbackDetail: string | null;
  status: RequestOutcome;
  error: string | null;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
}

export interface LoggedRequest extends ServedRequest {
  id: number;
}

const rowSchema = z.object({
  id: z.number().int(),
  completion_id: z.string(),
  at: z.string(),
  model: z.string(),
  stream: z.number().int(),
  input: z.string(),
  student_output: z.string().nullable(),
  final_output: z.string().nullable(),
  served_by: z.enum(['student', 'fallback']).nullable(),
  fallback_reason: z.enum(fallbackReasons).nullable(),
  fallback_detail: z.string().nullable(),
  status: z.enum(['ok', 'failed', 'cancelled']),
  error: z.string().nullable(),
  latency_ms: z.number(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
});

/** Which logged requests to read: all of them, those the fallback answered, or those nobody answered well. */
export type RequestSelection = 'all' | 'fallback' | 'failed';

const SELECTIONS: Record<RequestSelection, string> = {
  all: '1 = 1',
  fallback: "served_by = 'fallback'",
  // The student failed on it (error, timeout, verifier) or the request failed altogether.
  failed: "(fallback_reason IN ('error', 'timeout', 'verifier_failed') OR status = 'failed')",
};

/** Every chat completion the gateway answered, one row each, in the run's state.sqlite. */
export class RequestLog {
  private readonly insert;

  constructor(private readonly database: SqliteDatabase) {
    this.insert = database.prepare(
      `INSERT INTO served_requests (completion_id, at, model, stream, input, student_output, final_output, served_by, fallback_reason,
         fallback_detail, status, error, latency_ms, prompt_tokens, completion_tokens)
       VALUES (@completionId, @at, @model, @stream, @input, @studentOutput, @finalOutput, @servedBy, @fallbackReason,
         @fallbackDetail, @status, @error, @latencyMs, @promptTokens, @completionTokens)`,
    );
  }

  record(request: ServedRequest): void {
    this.insert.run({ ...request, stream: request.stream ? 1 : 0 });
  }

  /** Logged requests, oldest first, optionally only those at or after `since` (ISO time). */
  select(selection: RequestSelection, since?: string): LoggedRequest[] {
    const rows = this.database
      .prepare<[string], unknown>(`SELECT * FROM served_requests WHERE ${SELECTIONS[selection]} AND at >= ? ORDER BY id`)
      .all(since ?? '');
    return rows.map((row) => {
      const parsed = rowSchema.parse(row);
      return {
        id: parsed.id,
        completionId: parsed.completion_id,
        at: parsed.at,
        model: parsed.model,
        stream: parsed.stream === 1,
        input: parsed.input,
        studentOutput: parsed.student_output,
        finalOutput: parsed.final_output,
        servedBy: parsed.served_by,
        fallbackReason: parsed.fallback_reason,
        fallbackDetail: parsed.fallback_detail,
        status: parsed.status,
        error: parsed.error,
        latencyMs: parsed.latency_ms,
        promptTokens: parsed.prompt_tokens,
        completionTokens: parsed.completion_tokens,
      };
    });
  }
}
